// What a new referral is commonly chosen from: the kind of referral (SNOMED CT procedures) and the
// reasons for it (ICD-10), each with its display name. A referral may carry other valid codes; these
// are the ones offered by name and shown by name.

export interface CodeDisplay {
  code: string;
  display: string;
}

/** ServiceRequest.code: what is asked of the receiving organisation. */
export const REFERRAL_KINDS: CodeDisplay[] = [
  { code: '103696004', display: 'Patient referral to cardiologist' },
  { code: '3457005', display: 'Patient referral' },
  { code: '306206005', display: 'Referral to service' },
];

/** ServiceRequest.reasonCode: ICD-10 codes common in referrals from primary care. */
export const REASON_CODES: CodeDisplay[] = [
  { code: 'I20.9', display: 'Angina pectoris, unspecified' },
  { code: 'I21.9', display: 'Acute myocardial infarction, unspecified' },
  { code: 'I48.9', display: 'Atrial fibrillation and atrial flutter, unspecified' },
  { code: 'I50.9', display: 'Heart failure, unspecified' },
  { code: 'I10', display: 'Essential (primary) hypertension' },
  { code: 'R00.2', display: 'Palpitations' },
  { code: 'R07.4', display: 'Chest pain, unspecified' },
  { code: 'R55', display: 'Syncope and collapse' },
  { code: 'R06.0', display: 'Dyspnoea' },
  { code: 'J44.9', display: 'Chronic obstructive pulmonary disease, unspecified' },
  { code: 'J45.9', display: 'Asthma, unspecified' },
  { code: 'E11.9', display: 'Type 2 diabetes mellitus without complications' },
  { code: 'N18.9', display: 'Chronic kidney disease, unspecified' },
  { code: 'K21.9', display: 'Gastro-oesophageal reflux disease without oesophagitis' },
  { code: 'R10.4', display: 'Other and unspecified abdominal pain' },
  { code: 'M54.5', display: 'Low back pain' },
  { code: 'M17.9', display: 'Gonarthrosis, unspecified' },
  { code: 'G43.9', display: 'Migraine, unspecified' },
  { code: 'F32.9', display: 'Depressive episode, unspecified' },
  { code: 'H25.9', display: 'Senile cataract, unspecified' },
  { code: 'L40.0', display: 'Psoriasis vulgaris' },
  { code: 'C50.9', display: 'Malignant neoplasm of breast, unspecified' },
];

// A new referral, or a draft being finished: the patient, where it goes (the receiving organisation
// from the directory; its app follows), what is asked and why, how urgent (with the response time it
// means here), and which records are shared — each showing whether the patient consents to share it
// with that app right now. Saving keeps a draft; sending passes the consent gate or says plainly why
// not, with the link to give the patient.
import { Alert, Button, Card, Checkbox, Group, MultiSelect, NativeSelect, Radio, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMemo, useState, type FormEvent } from 'react';
import { problemIn, type ApiClient } from './api/client';
import type { components } from './api/schema';
import { Failure } from './App';
import { ConsentBadge, ConsentRefusal, consentRefusalIn, useConsentStatus } from './consent';
import { useDirectory, type Directory } from './directory';

type Referral = components['schemas']['Referral'];
type Priority = Referral['priority'];
type Fields = {
  patientId: string;
  sendingOrganisationId: string;
  receivingOrganisationId: string;
  receivingFacilityClientId: string;
  referralCode: string;
  priority: Priority;
  reasonCodes: string[];
  clinicalNote: string;
  sharedResourceTypes: string[];
};

/** What is offered to share when the receiving app names nothing it asks for. */
const COMMON_TYPES = ['Observation', 'Condition', 'DiagnosticReport', 'MedicationStatement', 'AllergyIntolerance', 'Procedure'];

const PRIORITY_WORDS: Record<Priority, string> = { ROUTINE: 'Routine', URGENT: 'Urgent', ASAP: 'As soon as possible', STAT: 'Immediately (stat)' };

/** A response time in words: "18 weeks", "3 days", "1 hour". */
function within(hours: number): string {
  const [count, unit] = hours % 168 === 0 ? [hours / 168, 'week'] : hours % 24 === 0 ? [hours / 24, 'day'] : [hours, 'hour'];
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

const fieldsOf = (referral: Referral): Fields => ({
  patientId: referral.patientId,
  sendingOrganisationId: referral.sendingOrganisationId,
  receivingOrganisationId: referral.receivingOrganisationId,
  receivingFacilityClientId: referral.receivingFacilityClientId,
  referralCode: referral.referralCode,
  priority: referral.priority,
  reasonCodes: referral.reasonCodes,
  clinicalNote: referral.clinicalNote ?? '',
  sharedResourceTypes: referral.sharedResourceTypes,
});

function blankFields(directory: Directory): Fields {
  return {
    patientId: '',
    sendingOrganisationId: directory.memberships.find((membership) => membership.role === 'referrer')?.organization ?? '',
    receivingOrganisationId: '',
    receivingFacilityClientId: '',
    referralCode: directory.choices.kinds[0]?.code ?? '',
    priority: 'ROUTINE',
    reasonCodes: [],
    clinicalNote: '',
    sharedResourceTypes: [],
  };
}

/** The request body for these fields: the performer is the receiving organisation; the kind's name travels with its code. */
function bodyOf(fields: Fields, directory: Directory) {
  const patientId = fields.patientId.trim();
  return {
    ...fields,
    patientId: patientId.startsWith('Patient/') ? patientId : `Patient/${patientId}`,
    performerId: fields.receivingOrganisationId,
    referralDisplay: directory.choices.kinds.find((kind) => kind.code === fields.referralCode)?.display,
    clinicalNote: fields.clinicalNote.trim() || undefined,
  };
}

interface DraftFormProps {
  api: ApiClient;
  /** The draft being finished; none for a new referral. */
  referral?: Referral;
  changes: number;
  /** After a first save: the draft's id. */
  onSaved: (id: number) => void;
  /** After a change was stored (saved or sent). */
  onChanged: () => Promise<unknown>;
}

export function DraftForm({ api, referral, changes, onSaved, onChanged }: DraftFormProps) {
  const directory = useDirectory();
  if (!directory) return <Text role="status">Loading the directory…</Text>;
  return <Form api={api} referral={referral} changes={changes} onSaved={onSaved} onChanged={onChanged} directory={directory} />;
}

function Form({ api, referral, changes, onSaved, onChanged, directory }: DraftFormProps & { directory: Directory }) {
  const saved = useMemo(() => (referral ? fieldsOf(referral) : blankFields(directory)), [referral, directory]);
  const [fields, setFields] = useState<Fields>(saved);
  const [failure, setFailure] = useState<string>();
  const [refusal, setRefusal] = useState<{ missing: string[]; portalUrl: string }>();
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof Fields>(name: K, value: Fields[K]) => setFields((current) => ({ ...current, [name]: value }));
  const dirty = JSON.stringify(fields) !== JSON.stringify(saved);

  const receiver = directory.organizations.find((organization) => organization.reference === fields.receivingOrganisationId);
  const app = receiver?.apps.find((candidate) => candidate.clientId === fields.receivingFacilityClientId);
  const offered = [...new Set([...(app?.resourceTypes.length ? app.resourceTypes : COMMON_TYPES), ...fields.sharedResourceTypes])];
  const consent = useConsentStatus(api, referral && app && { patientId: referral.patientId, clientId: app.clientId, resourceTypes: offered }, changes);

  /** What the gate's refusal named that the patient has still not allowed: the refusal is over once they have. */
  const stillMissing = refusal?.missing.filter((type) => consent?.[type] !== true) ?? [];

  const chooseReceiver = (reference: string) => {
    const apps = directory.organizations.find((organization) => organization.reference === reference)?.apps ?? [];
    setFields((current) => ({ ...current, receivingOrganisationId: reference, receivingFacilityClientId: apps[0]?.clientId ?? '' }));
  };

  /** Stores the form: creates the draft, or saves its changes; the stored referral, or undefined after saying why not. */
  const save = async (): Promise<Referral | undefined> => {
    const body = bodyOf(fields, directory);
    const answer = referral
      ? await api.PATCH('/api/referrals/{id}', { params: { path: { id: referral.id }, header: { 'if-match': `"${referral.version}"` } }, body })
      : await api.POST('/api/referrals', { body });
    if (!answer.data) {
      setFailure(problemIn(answer.error, 'The draft could not be saved.'));
      return undefined;
    }
    setFailure(undefined);
    return answer.data;
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const stored = await save();
    setBusy(false);
    if (!stored) return;
    if (referral) await onChanged();
    else onSaved(stored.id);
  };

  const send = async () => {
    setBusy(true);
    const draft = dirty ? await save() : referral;
    if (!draft) return setBusy(false);
    const answer = await api.POST('/api/referrals/{id}/send', { params: { path: { id: draft.id }, header: { 'if-match': `"${draft.version}"` } } });
    setBusy(false);
    const refused = consentRefusalIn(answer.error);
    setRefusal(refused);
    setFailure(answer.data || refused ? undefined : problemIn(answer.error, 'The referral could not be sent.'));
    await onChanged();
  };

  const referrerOf = directory.memberships.filter((membership) => membership.role === 'referrer');
  const receivers = directory.organizations.filter((organization) => organization.reference !== fields.sendingOrganisationId);
  return (
    <form onSubmit={(event) => void submit(event)} aria-labelledby="draft-title">
      <Stack>
        <Title order={2} size="h3" id="draft-title">
          {referral ? 'Draft referral' : 'New referral'}
        </Title>
        <Failure message={failure} />
        {stillMissing.length > 0 && (
          <ConsentRefusal missing={stillMissing} appName={app?.name ?? fields.receivingFacilityClientId} portalUrl={refusal!.portalUrl} step="send" />
        )}
        <Card withBorder>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label="Patient"
              description="The patient’s record id, e.g. Patient/ePatient-8675309"
              required
              value={fields.patientId}
              onChange={(event) => set('patientId', event.currentTarget.value)}
            />
            <NativeSelect
              label="From"
              required
              value={fields.sendingOrganisationId}
              onChange={(event) => set('sendingOrganisationId', event.currentTarget.value)}
              data={referrerOf.map((membership) => ({ value: membership.organization, label: directory.nameOf(membership.organization) }))}
            />
            <NativeSelect
              label="Refer to"
              required
              value={fields.receivingOrganisationId}
              onChange={(event) => chooseReceiver(event.currentTarget.value)}
              data={[
                { value: '', label: 'Choose an organisation…' },
                ...receivers.map((organization) => ({ value: organization.reference, label: organization.name })),
              ]}
            />
            <ReceivingApp receiver={receiver} clientId={fields.receivingFacilityClientId} onChoose={(clientId) => set('receivingFacilityClientId', clientId)} />
          </SimpleGrid>
        </Card>
        <Card withBorder>
          <Stack>
            <NativeSelect
              label="What you ask for"
              required
              value={fields.referralCode}
              onChange={(event) => set('referralCode', event.currentTarget.value)}
              data={directory.choices.kinds.map((kind) => ({ value: kind.code, label: kind.display }))}
            />
            <Radio.Group label="Priority" value={fields.priority} onChange={(value) => set('priority', value as Priority)}>
              <Stack gap="xs" mt="xs">
                {directory.choices.priorities.map(({ priority, responseHours }) => (
                  <Radio key={priority} value={priority} label={PRIORITY_WORDS[priority]} description={`An answer is due within ${within(responseHours)}`} />
                ))}
              </Stack>
            </Radio.Group>
            <MultiSelect
              label="Reasons"
              description="Search by name or ICD-10 code"
              searchable
              value={fields.reasonCodes}
              onChange={(codes) => set('reasonCodes', codes)}
              data={[...new Set([...directory.choices.reasons.map((reason) => reason.code), ...fields.reasonCodes])].map((code) => ({
                value: code,
                label: directory.codeNamed(code),
              }))}
            />
            <Textarea
              label="Clinical note"
              autosize
              minRows={3}
              value={fields.clinicalNote}
              onChange={(event) => set('clinicalNote', event.currentTarget.value)}
            />
          </Stack>
        </Card>
        <Card withBorder>
          <Checkbox.Group
            label="Records to share"
            description={
              referral
                ? `Whether the patient consents to share each with ${app?.name ?? 'the receiving app'} right now`
                : 'Save the draft to see the patient’s consent for each'
            }
            value={fields.sharedResourceTypes}
            onChange={(types) => set('sharedResourceTypes', types)}
          >
            <Stack gap="xs" mt="xs">
              {offered.map((type) => (
                <Group key={type} justify="space-between" wrap="nowrap" data-shared-type={type}>
                  <Checkbox value={type} label={type} />
                  <ConsentBadge consented={consent?.[type]} />
                </Group>
              ))}
            </Stack>
          </Checkbox.Group>
        </Card>
        <Group>
          <Button type="submit" variant={referral ? 'default' : 'filled'} disabled={busy || (referral !== undefined && !dirty)}>
            {referral ? 'Save changes' : 'Save draft'}
          </Button>
          {referral?.actions.includes('send') && (
            <Button onClick={() => void send()} disabled={busy}>
              Send to {receiver?.name ?? 'the receiver'}
            </Button>
          )}
        </Group>
      </Stack>
    </form>
  );
}

/** The receiving organisation's app the patient consents to: chosen when it has several, named when one, a warning when none. */
function ReceivingApp({
  receiver,
  clientId,
  onChoose,
}: {
  receiver?: Directory['organizations'][number];
  clientId: string;
  onChoose: (clientId: string) => void;
}) {
  if (!receiver) return null;
  if (receiver.apps.length === 0) {
    return (
      <Alert color="orange" title="No app to consent to">
        {receiver.name} has no app registered; patients cannot consent to share records with it, so a referral cannot be sent there.
      </Alert>
    );
  }
  return (
    <NativeSelect
      label="The patient consents to share with"
      value={clientId}
      onChange={(event) => onChoose(event.currentTarget.value)}
      data={receiver.apps.map((app) => ({ value: app.clientId, label: app.name }))}
    />
  );
}

// The patient's consent as a clinician sees it while drafting: for each record type, whether the
// patient consents to share it with the receiving app right now (asked of the consent evaluation
// every few seconds and after every live event, so a grant made in the portal shows without
// reloading); and, when the consent gate refuses a send, what to tell the patient, with the portal's
// link to give them, also as a QR code to show on screen.
import { Alert, Anchor, Badge, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { QRCodeSVG } from 'qrcode.react';
import { useEffect, useState } from 'react';
import type { ApiClient } from './api/client';

/** How often the form asks again while it is open. */
const ASK_EVERY_MS = 3000;

/** Each type's decision: true when the patient consents now; undefined until known. */
export type ConsentStatus = Record<string, boolean> | undefined;

export function useConsentStatus(
  api: ApiClient,
  ask: { patientId: string; clientId: string; resourceTypes: string[] } | undefined,
  changes: number,
): ConsentStatus {
  const [status, setStatus] = useState<ConsentStatus>();
  const key = ask && JSON.stringify(ask);
  useEffect(() => {
    if (!key) return setStatus(undefined);
    const body = JSON.parse(key) as NonNullable<typeof ask>;
    let current = true;
    const evaluate = async () => {
      const { data } = await api.POST('/api/consent/evaluate', { body });
      if (current && data) setStatus(Object.fromEntries(data.decisions.map((decision) => [decision.resourceType, decision.decision === 'permit'])));
    };
    void evaluate();
    const timer = setInterval(() => document.visibilityState === 'visible' && void evaluate(), ASK_EVERY_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [api, key, changes]);
  return status;
}

export function ConsentBadge({ consented }: { consented: boolean | undefined }) {
  if (consented === undefined) return null;
  return (
    <Badge color={consented ? 'teal.9' : 'red.9'} variant="filled" data-consent={consented ? 'granted' : 'missing'}>
      {consented ? 'Patient consents' : 'Not consented'}
    </Badge>
  );
}

/** The consent gate's refusal of a send or a move, in words for the clinician, with the link for the patient. */
export function ConsentRefusal({ missing, appName, portalUrl, step }: { missing: string[]; appName: string; portalUrl: string; step: 'send' | 'move' }) {
  const [showingCode, setShowingCode] = useState(false);
  return (
    <Alert color="orange" title={`${step === 'send' ? 'Not sent' : 'Not moved'}: the patient’s consent is missing`} role="alert" data-consent-refusal>
      <Stack gap="xs">
        <Text size="sm">
          The patient has not agreed to share <strong>{missing.join(', ')}</strong> with {appName}.{' '}
          {step === 'send'
            ? 'Nothing was sent. Ask the patient to allow it in their consent portal; this screen shows when they have, and you can send then.'
            : 'The referral stayed where it was. Ask the patient to allow it in their consent portal, then try again.'}
        </Text>
        <Group gap="sm">
          <Anchor href={portalUrl} target="_blank" size="sm" c="blue.9" underline="always">
            {portalUrl}
          </Anchor>
          <Button size="xs" variant="default" onClick={() => setShowingCode(true)}>
            Show as QR code
          </Button>
        </Group>
      </Stack>
      <Modal
        opened={showingCode}
        onClose={() => setShowingCode(false)}
        title="The patient’s consent portal"
        centered
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        <Stack align="center">
          <QRCodeSVG value={portalUrl} size={240} marginSize={2} title={`QR code for ${portalUrl}`} />
          <Text size="sm" ta="center">
            The patient scans this with their phone’s camera, signs in and allows {missing.join(', ')} for {appName}.
          </Text>
        </Stack>
      </Modal>
    </Alert>
  );
}

/** The 422 CONSENT_GATE_FAILED body's extra fields, when that is what an answer is. */
export function consentRefusalIn(error: unknown): { missing: string[]; portalUrl: string } | undefined {
  const body = error as { code?: string; missingResourceTypes?: string[]; consentPortalUrl?: string } | undefined;
  if (body?.code !== 'CONSENT_GATE_FAILED') return undefined;
  return { missing: body.missingResourceTypes ?? [], portalUrl: new URL(body.consentPortalUrl ?? '/consent/portal', location.origin).href };
}

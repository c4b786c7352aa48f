// The steps a clinician may take on a referral now (its `actions`), each asking for what it needs:
// the receiver's task steps (receive, accept, start, complete with a note, reject with a coded
// reason, return with advice, forward elsewhere), the referrer's hold, resume, revoke and redirect
// with their reasons, and a note on the task from either side. A move the consent gate refuses says
// what the patient must allow, with the portal's link.
import { Button, Card, Group, NativeSelect, Stack, Textarea } from '@mantine/core';
import { useState } from 'react';
import { problemIn, type ApiClient } from './api/client';
import type { components } from './api/schema';
import { Failure } from './App';
import { ConsentRefusal, consentRefusalIn } from './consent';
import { useDirectory, type Directory } from './directory';

type Referral = components['schemas']['Referral'];
type Action = Referral['actions'][number];
type TaskStep = 'RECEIVED' | 'ACCEPTED' | 'INPROGRESS' | 'COMPLETED' | 'REJECTED';

/** What a step asks for: nothing, a note (optional or required), a reason (optional, or required with a code), or where to move the referral. */
type Asks = undefined | 'note' | 'written-note' | 'advice' | 'reason' | 'coded-reason' | 'destination';

interface Input {
  text?: string;
  code: string;
  destination?: { organization: string; clientId: string };
}

interface Step {
  action: Action;
  label: string;
  asks?: Asks;
  /** The button that confirms a step that asks for something. */
  confirm?: string;
  /** A step of the task: offered only while the referral has one. */
  onTask: boolean;
  /** A step that gives up on or leaves the referral: a quieter button. */
  quiet?: boolean;
  take(api: ApiClient, referral: Referral, input: Input): Promise<{ response: Response; error?: unknown }>;
}

const path = (referral: Referral) => ({ path: { id: referral.id }, header: { 'if-match': `"${referral.version}"` } });

const taskStep = (action: Action, status: TaskStep | undefined, label: string, asks?: Asks, confirm?: string): Step => ({
  action,
  label,
  asks,
  confirm,
  onTask: true,
  quiet: status === 'REJECTED',
  take: (api, referral, { text, code }) =>
    api.PATCH('/api/referrals/{id}/tasks/{taskId}', {
      params: { path: { id: referral.id, taskId: referral.currentTask!.id } },
      body: {
        ...(status && { status }),
        ...((asks === 'note' || asks === 'written-note') && text && { note: text }),
        ...(asks === 'coded-reason' && { rejectionReason: text, rejectionCode: code as 'OTHER' }),
      },
    }),
});

const referralStep = (action: 'hold' | 'resume' | 'revoke', label: string, asks?: Asks, confirm?: string): Step => ({
  action,
  label,
  asks,
  confirm,
  onTask: false,
  quiet: action === 'revoke',
  take: (api, referral, { text }) => api.POST(`/api/referrals/{id}/${action}`, { params: path(referral), body: text ? { reason: text } : null }),
});

const moveStep = (action: 'redirect' | 'forward', label: string, confirm: string): Step => ({
  action,
  label,
  asks: 'destination',
  confirm,
  onTask: false,
  take: (api, referral, { text, destination }) =>
    api.POST(`/api/referrals/{id}/${action}`, {
      params: path(referral),
      body: {
        performerId: destination!.organization,
        receivingOrganisationId: destination!.organization,
        receivingFacilityClientId: destination!.clientId,
        reason: text ?? '',
      },
    }),
});

const adviceStep: Step = {
  action: 'return-with-advice',
  label: 'Return with advice…',
  asks: 'advice',
  confirm: 'Return with this advice',
  onTask: false,
  take: (api, referral, { text }) => api.POST('/api/referrals/{id}/return-with-advice', { params: path(referral), body: { advice: text ?? '' } }),
};

/** The steps this screen offers, in the order shown, each when the referral's `actions` name it. */
const STEPS: Step[] = [
  taskStep('receive', 'RECEIVED', 'Mark as received'),
  taskStep('accept', 'ACCEPTED', 'Accept'),
  taskStep('start', 'INPROGRESS', 'Start'),
  taskStep('complete', 'COMPLETED', 'Complete…', 'note', 'Complete the referral'),
  adviceStep,
  moveStep('forward', 'Forward…', 'Forward the referral'),
  taskStep('reject', 'REJECTED', 'Reject…', 'coded-reason', 'Reject the referral'),
  moveStep('redirect', 'Redirect…', 'Redirect the referral'),
  referralStep('hold', 'Put on hold…', 'reason', 'Put the referral on hold'),
  referralStep('resume', 'Resume'),
  referralStep('revoke', 'Revoke…', 'reason', 'Revoke the referral'),
  taskStep('add-note', undefined, 'Add a note…', 'written-note', 'Add the note'),
];

const ASKED: Record<Exclude<Asks, undefined | 'destination'>, string> = {
  note: 'Note for the referrer (optional)',
  'written-note': 'Note, shown to both sides',
  advice: 'Your advice to the referrer',
  reason: 'Reason (optional), shown to both sides',
  'coded-reason': 'Explain to the referrer',
};
const REQUIRED: Asks[] = ['written-note', 'advice', 'coded-reason', 'destination'];

/** The steps the caller may take now; one that asks for something opens its form first. */
export function Steps({ api, referral, onDone }: { api: ApiClient; referral: Referral; onDone: () => Promise<unknown> }) {
  const directory = useDirectory();
  const [asking, setAsking] = useState<Step>();
  const [text, setText] = useState('');
  const [code, setCode] = useState('OTHER');
  const [destination, setDestination] = useState('');
  const [failure, setFailure] = useState<string>();
  const [refusal, setRefusal] = useState<{ missing: string[]; portalUrl: string; appName: string }>();
  const [busy, setBusy] = useState(false);
  const offered = STEPS.filter((step) => referral.actions.includes(step.action) && (!step.onTask || referral.currentTask));
  if (offered.length === 0) return null;
  const destinations = (directory?.organizations ?? []).filter(
    (organization) => organization.apps.length > 0 && ![referral.receivingOrganisationId, referral.sendingOrganisationId].includes(organization.reference),
  );
  const chosen = destinations.find((organization) => organization.reference === destination);

  const take = async (step: Step) => {
    setBusy(true);
    const input = { text: text.trim() || undefined, code, destination: chosen && { organization: chosen.reference, clientId: chosen.apps[0]!.clientId } };
    const answer = await step.take(api, referral, input);
    setBusy(false);
    const refused = consentRefusalIn(answer.error);
    setRefusal(refused && { ...refused, appName: chosen?.apps[0]?.name ?? 'the receiving app' });
    if (!answer.response.ok) return setFailure(refused ? undefined : problemIn(answer.error, 'That could not be done.'));
    setFailure(undefined);
    setAsking(undefined);
    setText('');
    setDestination('');
    await onDone();
  };

  return (
    <Card withBorder component="section" aria-label="What you can do now">
      <Stack>
        <Failure message={failure} />
        {refusal && <ConsentRefusal missing={refusal.missing} appName={refusal.appName} portalUrl={refusal.portalUrl} step="move" />}
        {!asking && (
          <Group>
            {offered.map((step) => (
              <Button
                key={step.action}
                disabled={busy}
                variant={step.quiet ? 'default' : 'filled'}
                onClick={() => (step.asks ? setAsking(step) : void take(step))}
              >
                {step.label}
              </Button>
            ))}
          </Group>
        )}
        {asking?.asks && (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void take(asking);
            }}
          >
            <Stack>
              {asking.asks === 'coded-reason' && (
                <NativeSelect
                  label="Why"
                  data={(directory?.choices.rejectionReasons ?? []).map((reason) => ({ value: reason.code, label: reason.display }))}
                  value={code}
                  onChange={(event) => setCode(event.currentTarget.value)}
                />
              )}
              {asking.asks === 'destination' && <Destination destinations={destinations} value={destination} onChange={setDestination} />}
              <Textarea
                label={asking.asks === 'destination' ? 'Why it moves, shown to both sides' : ASKED[asking.asks]}
                required={REQUIRED.includes(asking.asks)}
                autosize
                minRows={3}
                value={text}
                onChange={(event) => setText(event.currentTarget.value)}
              />
              <Group>
                <Button type="submit" disabled={busy}>
                  {asking.confirm}
                </Button>
                <Button
                  variant="default"
                  onClick={() => {
                    setAsking(undefined);
                    setRefusal(undefined);
                    setFailure(undefined);
                  }}
                >
                  Cancel
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Stack>
    </Card>
  );
}

function Destination({ destinations, value, onChange }: { destinations: Directory['organizations']; value: string; onChange: (reference: string) => void }) {
  return (
    <NativeSelect
      label="Move it to"
      required
      value={value}
      onChange={(event) => onChange(event.currentTarget.value)}
      data={[
        { value: '', label: 'Choose an organisation…' },
        ...destinations.map((organization) => ({ value: organization.reference, label: organization.name })),
      ]}
    />
  );
}

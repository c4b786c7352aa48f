// One referral: what was asked and why, where it stands, its history, and the task steps the caller
// may take now (the referral's `actions`) — the receiver's task steps (receive, accept, start, complete
// with a note, reject with a coded reason) and the referrer's hold, resume and revoke with a reason —
// and the notes written on its task. It follows live events like the lists do.
import { Alert, Badge, Button, Card, Group, NativeSelect, Stack, Text, Textarea, Timeline, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { ApiClient } from './api/client';
import type { components } from './api/schema';
import { Waiting } from './App';
import { day, happened, PRIORITY_COLOURS, standingOf, whoDid } from './referral-words';

type Referral = components['schemas']['Referral'];
type AuditEntry = components['schemas']['AuditEntry'];
type TaskNote = components['schemas']['TaskNote'];
type Action = Referral['actions'][number];
type TaskStep = 'RECEIVED' | 'ACCEPTED' | 'INPROGRESS' | 'COMPLETED' | 'REJECTED';

/** What a step asks for: nothing, an optional note, or a reason (optional, or required with a code). */
type Asks = undefined | 'note' | 'reason' | 'coded-reason';

interface Step {
  action: Action;
  label: string;
  asks?: Asks;
  /** The button that confirms a step that asks for something. */
  confirm?: string;
  /** A step of the task: offered only while the referral has one. */
  onTask: boolean;
  take(api: ApiClient, referral: Referral, input: { text?: string; code?: string }): Promise<{ response: Response; error?: unknown }>;
}

const taskStep = (action: Action, status: TaskStep, label: string, asks?: Asks, confirm?: string): Step => ({
  action,
  label,
  asks,
  confirm,
  onTask: true,
  take: (api, referral, { text, code }) =>
    api.PATCH('/api/referrals/{id}/tasks/{taskId}', {
      params: { path: { id: referral.id, taskId: referral.currentTask!.id } },
      body: {
        status,
        ...(asks === 'note' && text && { note: text }),
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
  take: (api, referral, { text }) => api.POST(`/api/referrals/{id}/${action}`, { params: { path: { id: referral.id } }, body: text ? { reason: text } : null }),
});

/** The steps this screen offers, in the order shown, each when the referral's `actions` name it. */
const STEPS: Step[] = [
  taskStep('receive', 'RECEIVED', 'Mark as received'),
  taskStep('accept', 'ACCEPTED', 'Accept'),
  taskStep('start', 'INPROGRESS', 'Start'),
  taskStep('complete', 'COMPLETED', 'Complete…', 'note', 'Complete the referral'),
  taskStep('reject', 'REJECTED', 'Reject…', 'coded-reason', 'Reject the referral'),
  referralStep('hold', 'Put on hold…', 'reason', 'Put the referral on hold'),
  referralStep('resume', 'Resume'),
  referralStep('revoke', 'Revoke…', 'reason', 'Revoke the referral'),
];

const ASKED: Record<Exclude<Asks, undefined>, string> = {
  note: 'Note for the referrer (optional)',
  reason: 'Reason (optional), shown to both sides',
  'coded-reason': 'Explain to the referrer',
};

export function ReferralView({ api, id, changes, onBack }: { api: ApiClient; id: number; changes: number; onBack: () => void }) {
  const [referral, setReferral] = useState<Referral>();
  const [history, setHistory] = useState<AuditEntry[]>([]);
  const [notes, setNotes] = useState<TaskNote[]>([]);
  const [failure, setFailure] = useState<string>();
  const load = useCallback(async () => {
    const path = { params: { path: { id } } };
    const [read, trail, tasks] = await Promise.all([
      api.GET('/api/referrals/{id}', path),
      api.GET('/api/referrals/{id}/history', path),
      api.GET('/api/referrals/{id}/tasks', path),
    ]);
    if (!read.data) return setFailure('This referral could not be loaded. It may have moved to another organisation.');
    setReferral(read.data);
    setHistory(trail.data ?? []);
    setNotes((tasks.data ?? []).flatMap((task) => task.notes));
  }, [api, id]);
  useEffect(() => {
    void load();
  }, [load, changes]);

  return (
    <Stack component="section" aria-labelledby="referral-title">
      <Group>
        <Button variant="default" size="xs" onClick={onBack}>
          ← Back to the list
        </Button>
      </Group>
      {failure && (
        <Alert color="red" role="alert">
          {failure}
        </Alert>
      )}
      {!referral && !failure && <Waiting label="Loading the referral…" />}
      {referral && (
        <>
          <Group justify="space-between" align="flex-start">
            <Title order={2} size="h3" id="referral-title">
              {referral.referralDisplay ?? referral.referralCode}
            </Title>
            <Badge color={PRIORITY_COLOURS[referral.priority]}>{referral.priority.toLowerCase()}</Badge>
          </Group>
          <Text data-standing>{standingOf(referral)}</Text>
          <Card withBorder>
            <Stack gap="xs">
              <Detail label="Patient" value={referral.patientId.replace('Patient/', '')} />
              <Detail label="From" value={referral.sendingOrganisationId.replace('Organization/', '')} />
              <Detail label="To" value={referral.receivingOrganisationId.replace('Organization/', '')} />
              <Detail label="Reasons" value={referral.reasonCodes.join(', ')} />
              {referral.clinicalNote && <Detail label="Clinical note" value={referral.clinicalNote} />}
              <Detail label="Records shared" value={referral.sharedResourceTypes.join(', ')} />
              {referral.responseDueAt && <Detail label={referral.overdue ? 'Overdue since' : 'Answer due'} value={day(referral.responseDueAt)} />}
              {referral.holdReason && <Detail label="Why on hold" value={referral.holdReason} />}
              {referral.revocationReason && <Detail label="Why revoked" value={referral.revocationReason} />}
            </Stack>
          </Card>
          <Steps api={api} referral={referral} onDone={load} />
          <Notes notes={notes} />
          <Title order={3} size="h4">
            History
          </Title>
          <Timeline bulletSize={12} lineWidth={2}>
            {history.map((entry) => (
              <Timeline.Item key={entry.seq} title={happened(entry)}>
                <Text size="sm" c="gray.7">
                  {new Date(entry.recordedAt).toLocaleString('en-GB')} · {whoDid(entry.actor)}
                </Text>
              </Timeline.Item>
            ))}
          </Timeline>
        </>
      )}
    </Stack>
  );
}

function Detail({ label, value }: { label: string; value: string }) {
  return (
    <Group gap="xs" align="flex-start" wrap="nowrap">
      <Text size="sm" fw={600} w={120} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text size="sm">{value}</Text>
    </Group>
  );
}

const REJECTION_CODES = [
  { value: 'INSUFFICIENT_INFORMATION', label: 'Insufficient information' },
  { value: 'WRONG_SERVICE', label: 'Wrong service' },
  { value: 'NO_CAPACITY', label: 'No capacity' },
  { value: 'PATIENT_DECLINED', label: 'Patient declined' },
  { value: 'DUPLICATE', label: 'Duplicate referral' },
  { value: 'OTHER', label: 'Other' },
];

/** The steps the caller may take now; one that asks for a note or a reason opens its form first. */
function Steps({ api, referral, onDone }: { api: ApiClient; referral: Referral; onDone: () => Promise<unknown> }) {
  const [asking, setAsking] = useState<Step>();
  const [text, setText] = useState('');
  const [code, setCode] = useState('OTHER');
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const offered = STEPS.filter((step) => referral.actions.includes(step.action) && (!step.onTask || referral.currentTask));
  if (offered.length === 0) return null;

  const take = async (step: Step) => {
    setBusy(true);
    const answer = await step.take(api, referral, { text: text.trim() || undefined, code });
    setBusy(false);
    if (!answer.response.ok) return setFailure((answer.error as { message?: string } | undefined)?.message ?? 'That could not be done.');
    setFailure(undefined);
    setAsking(undefined);
    setText('');
    await onDone();
  };

  return (
    <Card withBorder aria-label="What you can do now">
      <Stack>
        {failure && (
          <Alert color="red" role="alert">
            {failure}
          </Alert>
        )}
        {!asking && (
          <Group>
            {offered.map((step) => (
              <Button
                key={step.action}
                disabled={busy}
                variant={step.action === 'reject' || step.action === 'revoke' ? 'default' : 'filled'}
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
                <NativeSelect label="Why" data={REJECTION_CODES} value={code} onChange={(event) => setCode(event.currentTarget.value)} />
              )}
              <Textarea
                label={ASKED[asking.asks]}
                required={asking.asks === 'coded-reason'}
                autosize
                minRows={3}
                value={text}
                onChange={(event) => setText(event.currentTarget.value)}
              />
              <Group>
                <Button type="submit" disabled={busy}>
                  {asking.confirm}
                </Button>
                <Button variant="default" onClick={() => setAsking(undefined)}>
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

/** What was written on the referral's task: completion and rejection notes, and notes added on the way. */
function Notes({ notes }: { notes: TaskNote[] }) {
  if (notes.length === 0) return null;
  return (
    <Card withBorder aria-label="Notes">
      <Stack gap="xs">
        <Title order={3} size="h5">
          Notes
        </Title>
        {notes.map((note) => (
          <Text key={note.id} size="sm" data-note>
            {note.text}{' '}
            <Text span size="xs" c="gray.7">
              — {whoDid(note.author)}, {day(note.createdAt)}
            </Text>
          </Text>
        ))}
      </Stack>
    </Card>
  );
}

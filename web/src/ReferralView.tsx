// One referral: what was asked and why, where it stands, its history, and the task steps the caller
// may take now (the referral's `actions`) — receive, accept, start, complete with a note, or reject
// with a reason. It follows live events like the lists do.
import { Alert, Badge, Button, Card, Group, NativeSelect, Stack, Text, Textarea, Timeline, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { ApiClient } from './api/client';
import type { components } from './api/schema';
import { Waiting } from './App';
import { actorOf, day, happened, standingOf } from './referral-words';

type Referral = components['schemas']['Referral'];
type AuditEntry = components['schemas']['AuditEntry'];
type TaskStep = 'RECEIVED' | 'ACCEPTED' | 'INPROGRESS' | 'COMPLETED' | 'REJECTED';

/** The referral's actions that move its task, and how each is offered. */
const TASK_STEPS: Array<{ action: string; status: TaskStep; label: string; asks?: 'note' | 'reason' }> = [
  { action: 'receive', status: 'RECEIVED', label: 'Mark as received' },
  { action: 'accept', status: 'ACCEPTED', label: 'Accept' },
  { action: 'start', status: 'INPROGRESS', label: 'Start' },
  { action: 'complete', status: 'COMPLETED', label: 'Complete…', asks: 'note' },
  { action: 'reject', status: 'REJECTED', label: 'Reject…', asks: 'reason' },
];

const REJECTION_CODES = [
  { value: 'INSUFFICIENT_INFORMATION', label: 'Insufficient information' },
  { value: 'WRONG_SERVICE', label: 'Wrong service' },
  { value: 'NO_CAPACITY', label: 'No capacity' },
  { value: 'PATIENT_DECLINED', label: 'Patient declined' },
  { value: 'DUPLICATE', label: 'Duplicate referral' },
  { value: 'OTHER', label: 'Other' },
];

export function ReferralView({ api, id, changes, onBack }: { api: ApiClient; id: number; changes: number; onBack: () => void }) {
  const [referral, setReferral] = useState<Referral>();
  const [history, setHistory] = useState<AuditEntry[]>([]);
  const [failure, setFailure] = useState<string>();
  const load = useCallback(async () => {
    const path = { params: { path: { id } } };
    const [read, trail] = await Promise.all([api.GET('/api/referrals/{id}', path), api.GET('/api/referrals/{id}/history', path)]);
    if (!read.data) return setFailure('This referral could not be loaded. It may have moved to another organisation.');
    setReferral(read.data);
    setHistory(trail.data ?? []);
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
            <Badge>{referral.priority.toLowerCase()}</Badge>
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
            </Stack>
          </Card>
          <TaskSteps api={api} referral={referral} onDone={load} />
          <Title order={3} size="h4">
            History
          </Title>
          <Timeline bulletSize={12} lineWidth={2}>
            {history.map((entry) => (
              <Timeline.Item key={entry.seq} title={happened(entry)}>
                <Text size="sm" c="gray.7">
                  {new Date(entry.recordedAt).toLocaleString('en-GB')} · {actorOf(entry)}
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

/** The task steps the caller may take now; one that asks for a note or a reason opens its form first. */
function TaskSteps({ api, referral, onDone }: { api: ApiClient; referral: Referral; onDone: () => Promise<unknown> }) {
  const [asking, setAsking] = useState<(typeof TASK_STEPS)[number]>();
  const [text, setText] = useState('');
  const [code, setCode] = useState('OTHER');
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const offered = TASK_STEPS.filter((step) => referral.actions.includes(step.action as Referral['actions'][number]));
  const task = referral.currentTask;
  if (!task || offered.length === 0) return null;

  const take = async (step: (typeof TASK_STEPS)[number]) => {
    setBusy(true);
    const body =
      step.asks === 'note'
        ? { status: step.status, ...(text.trim() && { note: text.trim() }) }
        : step.asks === 'reason'
          ? { status: step.status, rejectionReason: text.trim(), rejectionCode: code as 'OTHER' }
          : { status: step.status };
    const answer = await api.PATCH('/api/referrals/{id}/tasks/{taskId}', { params: { path: { id: referral.id, taskId: task.id } }, body });
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
                variant={step.status === 'REJECTED' ? 'default' : 'filled'}
                onClick={() => (step.asks ? setAsking(step) : void take(step))}
              >
                {step.label}
              </Button>
            ))}
          </Group>
        )}
        {asking && (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void take(asking);
            }}
          >
            <Stack>
              {asking.asks === 'reason' && (
                <NativeSelect label="Why" data={REJECTION_CODES} value={code} onChange={(event) => setCode(event.currentTarget.value)} />
              )}
              <Textarea
                label={asking.asks === 'note' ? 'Note for the referrer (optional)' : 'Explain to the referrer'}
                required={asking.asks === 'reason'}
                autosize
                minRows={3}
                value={text}
                onChange={(event) => setText(event.currentTarget.value)}
              />
              <Group>
                <Button type="submit" disabled={busy}>
                  {asking.status === 'COMPLETED' ? 'Complete the referral' : 'Reject the referral'}
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

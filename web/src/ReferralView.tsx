// One referral: a draft opens as its form (DraftForm); a sent one shows what was asked and why, where
// it stands, the steps the caller may take now (steps.tsx), the notes on its task, its attachments,
// the advice conversation it came from, and its history. It follows live events like the lists do.
import { Alert, Badge, Button, Card, Group, Stack, Text, Timeline, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { ApiClient } from './api/client';
import type { components } from './api/schema';
import { AdviceConversation } from './AdviceView';
import { Failure, Waiting } from './App';
import { Panel } from './Panel';
import { Attachments } from './Attachments';
import { useDirectory } from './directory';
import { DraftForm } from './DraftForm';
import { day, happened, PRIORITY_COLOURS, standingOf, whoDid } from './referral-words';
import { Steps } from './steps';

type Referral = components['schemas']['Referral'];
type AuditEntry = components['schemas']['AuditEntry'];
type TaskNote = components['schemas']['TaskNote'];
type Task = components['schemas']['Task'];

export function ReferralView({ api, id, changes, onBack }: { api: ApiClient; id: number; changes: number; onBack: () => void }) {
  const [referral, setReferral] = useState<Referral>();
  const [history, setHistory] = useState<AuditEntry[]>([]);
  const [tasks, setTasks] = useState<Task[]>([]);
  const [failure, setFailure] = useState<string>();
  /** Counts the loads finished, so what hangs off the referral reloads after it, never while it moves away. */
  const [loads, setLoads] = useState(0);
  const load = useCallback(async () => {
    const path = { params: { path: { id } } };
    const [read, tasks] = await Promise.all([api.GET('/api/referrals/{id}', path), api.GET('/api/referrals/{id}/tasks', path)]);
    if (!read.data) return setFailure('This referral could not be loaded. It may have moved to another organisation.');
    // A referral that moved away is seen as it was when it left: its later history is not the caller's.
    const trail = read.data.movedAway ? undefined : await api.GET('/api/referrals/{id}/history', path);
    setReferral(read.data);
    setHistory(trail?.data ?? []);
    setTasks(tasks.data ?? []);
    setLoads((count) => count + 1);
  }, [api, id]);
  useEffect(() => {
    void load();
  }, [load, changes]);

  return (
    <Stack component="section" aria-labelledby={referral?.status === 'DRAFT' ? 'draft-title' : 'referral-title'}>
      <Group>
        <Button variant="default" size="xs" onClick={onBack}>
          ← Back to the list
        </Button>
      </Group>
      <Failure message={failure} />
      {!referral && !failure && <Waiting label="Loading the referral…" />}
      {referral?.status === 'DRAFT' && <DraftForm api={api} referral={referral} changes={changes} onSaved={() => undefined} onChanged={load} />}
      {referral && referral.status !== 'DRAFT' && (
        <>
          <Sent referral={referral} rejection={tasks.find((task) => task.id === referral.currentTask?.id && task.status === 'REJECTED')} />
          <Steps api={api} referral={referral} onDone={load} />
          <Notes notes={tasks.flatMap((task) => task.notes)} />
          {!referral.movedAway && <Attachments api={api} referralId={referral.id} mayAttach={referral.actions.includes('attach')} changes={loads} />}
          {referral.adviceRequestId !== null && <AdviceConversation api={api} id={referral.adviceRequestId} changes={loads} />}
          <History history={history} />
        </>
      )}
    </Stack>
  );
}

/** What was asked, of whom, why, and where it stands. */
function Sent({ referral, rejection }: { referral: Referral; rejection?: Task }) {
  const directory = useDirectory();
  const named = (reference: string) => directory?.nameOf(reference) ?? reference;
  const coded = (code: string) => directory?.codeNamed(code) ?? code;
  const rejectedBecause = (code: string) => directory?.choices.rejectionReasons.find((reason) => reason.code === code)?.display ?? code;
  return (
    <>
      <Group justify="space-between" align="flex-start">
        <Title order={2} size="h3" id="referral-title" data-referral-id={referral.id}>
          {referral.referralDisplay ?? coded(referral.referralCode)}
        </Title>
        <Badge color={PRIORITY_COLOURS[referral.priority]}>{referral.priority.toLowerCase()}</Badge>
      </Group>
      <Text data-standing fw={600}>
        {standingOf(referral)}
        {referral.overdue && (
          <Badge color="red.8" ml="sm">
            Overdue
          </Badge>
        )}
      </Text>
      {referral.movedAway && (
        <Alert color="gray" title={`${referral.movedAway.kind === 'REDIRECT' ? 'Redirected' : 'Forwarded'} elsewhere on ${day(referral.movedAway.at)}`}>
          This referral is no longer with your organisation. You see it as it was when it left.
        </Alert>
      )}
      <Card withBorder>
        <Stack gap="xs">
          <Detail label="Patient" value={referral.patientId.replace('Patient/', '')} />
          <Detail label="Referred by" value={`${named(referral.requesterId)}, ${named(referral.sendingOrganisationId)}`} />
          <Detail label="To" value={named(referral.receivingOrganisationId)} />
          {referral.reasonCodes.length > 0 && <Detail label="Reasons" value={referral.reasonCodes.map(coded).join('; ')} />}
          {referral.clinicalNote && <Detail label="Clinical note" value={referral.clinicalNote} />}
          <Detail label="Records shared" value={referral.sharedResourceTypes.join(', ')} />
          {referral.authoredOn && <Detail label="Sent" value={day(referral.authoredOn)} />}
          {referral.responseDueAt && <Detail label={referral.overdue ? 'Answer was due' : 'Answer due'} value={day(referral.responseDueAt)} />}
          {referral.holdReason && <Detail label="Why on hold" value={referral.holdReason} />}
          {referral.revocationReason && <Detail label="Why revoked" value={referral.revocationReason} />}
          {rejection && (
            <Detail label="Why rejected" value={[rejectedBecause(rejection.rejectionCode ?? 'OTHER'), rejection.rejectionReason].filter(Boolean).join(': ')} />
          )}
        </Stack>
      </Card>
    </>
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

/** What was written on the referral's task: completion and rejection notes, advice, and notes added on the way. */
function Notes({ notes }: { notes: TaskNote[] }) {
  const directory = useDirectory();
  if (notes.length === 0) return null;
  return (
    <Panel id="notes-title" title={'Notes'}>
      {notes.map((note) => (
        <Text key={note.id} size="sm" data-note>
          {note.text}{' '}
          <Text span size="xs" c="gray.7">
            — {whoDid(note.author, directory?.nameOf)}, {day(note.createdAt)}
          </Text>
        </Text>
      ))}
    </Panel>
  );
}

function History({ history }: { history: AuditEntry[] }) {
  const directory = useDirectory();
  return (
    <Stack component="section" aria-labelledby="history-title" gap="xs">
      <Title order={3} size="h4" id="history-title">
        History
      </Title>
      <Timeline bulletSize={12} lineWidth={2}>
        {history.map((entry) => (
          <Timeline.Item key={entry.seq} title={happened(entry, directory?.nameOf)}>
            <Text size="sm" c="gray.7">
              {new Date(entry.recordedAt).toLocaleString('en-GB')} · {whoDid(entry.actor, directory?.nameOf)}
            </Text>
          </Timeline.Item>
        ))}
      </Timeline>
    </Stack>
  );
}

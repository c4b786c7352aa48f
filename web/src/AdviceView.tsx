// The advice conversation: a GP asks a specialist organisation a question about a patient; each
// message hands the turn to the other side; the specialist may answer "please refer". Either side
// replies or closes it; the asker may turn it into a draft referral, which keeps the conversation
// (AdviceConversation shows it, read-only, on that referral).
import { Badge, Button, Card, Checkbox, Group, Stack, Text, Textarea, Title } from '@mantine/core';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { problemIn, type ApiClient } from './api/client';
import type { components } from './api/schema';
import { Failure, Waiting } from './App';
import { Panel } from './Panel';
import { useDirectory } from './directory';
import { whoDid } from './referral-words';

type AdviceRequest = components['schemas']['AdviceRequest'];

const ADVICE_STANDING: Record<AdviceRequest['status'], string> = {
  AWAITING_SPECIALIST: 'Awaiting the specialist’s answer',
  AWAITING_REQUESTER: 'Answered: awaiting the GP',
  CLOSED: 'Closed',
  CONVERTED: 'Turned into a referral',
};

function useAdviceRequest(api: ApiClient, id: number, changes: number) {
  const [request, setRequest] = useState<AdviceRequest>();
  const [failure, setFailure] = useState<string>();
  const load = useCallback(async () => {
    const { data } = await api.GET('/api/advice-requests/{id}', { params: { path: { id } } });
    if (data) setRequest(data);
    else setFailure('This advice request could not be loaded.');
  }, [api, id]);
  useEffect(() => {
    void load();
  }, [load, changes]);
  return { request, failure, load };
}

/** An advice request on its own screen, to read and answer. */
export function AdviceView({
  api,
  id,
  changes,
  onBack,
  onOpenReferral,
}: {
  api: ApiClient;
  id: number;
  changes: number;
  onBack: () => void;
  onOpenReferral: (id: number) => void;
}) {
  const { request, failure, load } = useAdviceRequest(api, id, changes);
  const [problem, setProblem] = useState<string>();
  const act = async (step: 'close' | 'convert') => {
    const answer =
      step === 'close'
        ? await api.POST('/api/advice-requests/{id}/close', { params: { path: { id } } })
        : await api.POST('/api/advice-requests/{id}/convert', {
            params: { path: { id } },
            body: { referralCode: '3457005', referralDisplay: 'Patient referral', priority: 'ROUTINE' },
          });
    if (!answer.data) return setProblem(problemIn(answer.error, 'That could not be done.'));
    if (step === 'convert') return onOpenReferral(answer.data.id);
    await load();
  };
  return (
    <Stack component="section" aria-labelledby="advice-title">
      <Group>
        <Button variant="default" size="xs" onClick={onBack}>
          ← Back to the list
        </Button>
      </Group>
      <Failure message={failure ?? problem} />
      {!request && !failure && <Waiting label="Loading the advice request…" />}
      {request && (
        <>
          <Title order={2} size="h3" id="advice-title">
            Advice: {request.subject}
          </Title>
          <Text fw={600}>{ADVICE_STANDING[request.status]}</Text>
          <Messages request={request} />
          {request.actions.includes('message') && <Reply api={api} request={request} onSent={load} />}
          <Group>
            {request.actions.includes('convert') && <Button onClick={() => void act('convert')}>Turn into a referral</Button>}
            {request.actions.includes('close') && (
              <Button variant="default" onClick={() => void act('close')}>
                Close the conversation
              </Button>
            )}
          </Group>
        </>
      )}
    </Stack>
  );
}

/** The conversation a referral came from, read-only. */
export function AdviceConversation({ api, id, changes }: { api: ApiClient; id: number; changes: number }) {
  const { request } = useAdviceRequest(api, id, changes);
  if (!request) return null;
  return (
    <Panel id="conversation-title" title={`The advice conversation it came from: ${request.subject}`}>
      <Messages request={request} />
    </Panel>
  );
}

function Messages({ request }: { request: AdviceRequest }) {
  const directory = useDirectory();
  return (
    <Stack gap="xs">
      {request.messages.map((message) => (
        <Card key={message.id} withBorder padding="sm" bg={message.side === 'specialist' ? 'blue.0' : undefined} data-advice-message>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
            {message.text}
          </Text>
          <Group gap="xs" mt={4}>
            <Text size="xs" c="gray.7">
              {whoDid(message.author, directory?.nameOf)} ({message.side === 'specialist' ? 'specialist' : 'GP'}),{' '}
              {new Date(message.createdAt).toLocaleString('en-GB')}
            </Text>
            {message.pleaseRefer && (
              <Badge size="sm" color="red.9">
                Please refer
              </Badge>
            )}
          </Group>
        </Card>
      ))}
    </Stack>
  );
}

function Reply({ api, request, onSent }: { api: ApiClient; request: AdviceRequest; onSent: () => Promise<void> }) {
  const [text, setText] = useState('');
  const [pleaseRefer, setPleaseRefer] = useState(false);
  const [failure, setFailure] = useState<string>();
  const specialist = !request.actions.includes('convert');
  const send = async (event: FormEvent) => {
    event.preventDefault();
    const answer = await api.POST('/api/advice-requests/{id}/messages', {
      params: { path: { id: request.id } },
      body: { text: text.trim(), ...(specialist && pleaseRefer && { pleaseRefer }) },
    });
    if (!answer.data) return setFailure(problemIn(answer.error, 'The message could not be sent.'));
    setFailure(undefined);
    setText('');
    setPleaseRefer(false);
    await onSent();
  };
  return (
    <form onSubmit={(event) => void send(event)}>
      <Stack gap="xs">
        <Failure message={failure} />
        <Textarea label="Your reply" required autosize minRows={3} value={text} onChange={(event) => setText(event.currentTarget.value)} />
        {specialist && <Checkbox label="Please refer the patient" checked={pleaseRefer} onChange={(event) => setPleaseRefer(event.currentTarget.checked)} />}
        <Group>
          <Button type="submit" disabled={!text.trim()}>
            Send the reply
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

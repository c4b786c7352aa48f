// A referral's attachments: each opened in a new tab (fetched with the clinician's token, so the
// download is audited as theirs), and, while the referral takes them, a PDF or image to upload.
import { Anchor, Button, FileInput, Group, Stack, Text, TextInput } from '@mantine/core';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { problemIn, type ApiClient } from './api/client';
import type { components } from './api/schema';
import { Failure } from './App';
import { Panel } from './Panel';
import { day } from './referral-words';

type Attachment = components['schemas']['Attachment'];

const ACCEPTED = 'application/pdf,image/png,image/jpeg';

const size = (bytes: number) => (bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} kB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

export function Attachments({ api, referralId, mayAttach, changes }: { api: ApiClient; referralId: number; mayAttach: boolean; changes: number }) {
  const [attachments, setAttachments] = useState<Attachment[]>();
  const [failure, setFailure] = useState<string>();
  const load = useCallback(async () => {
    const { data } = await api.GET('/api/referrals/{id}/attachments', { params: { path: { id: referralId } } });
    if (data) setAttachments(data);
    else setFailure('The attachments could not be loaded.');
  }, [api, referralId]);
  useEffect(() => {
    void load();
  }, [load, changes]);

  const open = async (attachment: Attachment) => {
    const { data } = await api.GET('/api/referrals/{id}/attachments/{attachmentId}', {
      params: { path: { id: referralId, attachmentId: attachment.id } },
      parseAs: 'blob',
    });
    if (!data) return setFailure(`${attachment.fileName} could not be opened.`);
    const url = URL.createObjectURL(data as Blob);
    window.open(url, '_blank', 'noopener');
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  };

  if (!attachments?.length && !mayAttach && !failure) return null;
  return (
    <Panel id="attachments-title" title={'Attachments'}>
      <Failure message={failure} />
      {attachments?.length === 0 && <Text size="sm">No attachments yet.</Text>}
      {attachments?.map((attachment) => (
        <Group key={attachment.id} gap="xs" data-attachment>
          <Anchor component="button" type="button" size="sm" onClick={() => void open(attachment)}>
            {attachment.fileName}
          </Anchor>
          <Text size="xs" c="gray.7">
            {size(attachment.sizeBytes)} · {attachment.description ? `${attachment.description} · ` : ''}
            {day(attachment.uploadedAt)}
          </Text>
        </Group>
      ))}
      {mayAttach && <Upload api={api} referralId={referralId} onUploaded={load} />}
    </Panel>
  );
}

function Upload({ api, referralId, onUploaded }: { api: ApiClient; referralId: number; onUploaded: () => Promise<void> }) {
  const [file, setFile] = useState<File | null>(null);
  const [description, setDescription] = useState('');
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const upload = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    const form = new FormData();
    if (description.trim()) form.append('description', description.trim());
    form.append('file', file);
    setBusy(true);
    const answer = await api.POST('/api/referrals/{id}/attachments', {
      params: { path: { id: referralId } },
      body: form as never,
      bodySerializer: (body: unknown) => body as FormData,
    });
    setBusy(false);
    if (!answer.data) return setFailure(problemIn(answer.error, 'The file could not be attached.'));
    setFailure(undefined);
    setFile(null);
    setDescription('');
    await onUploaded();
  };
  return (
    <form onSubmit={(event) => void upload(event)}>
      <Stack gap="xs">
        <Failure message={failure} />
        <Group align="flex-end" wrap="wrap">
          <FileInput
            label="Attach a file"
            description="PDF, PNG or JPEG"
            placeholder="Choose a file…"
            accept={ACCEPTED}
            value={file}
            onChange={setFile}
            clearable
            w={260}
          />
          <TextInput label="Description (optional)" value={description} onChange={(event) => setDescription(event.currentTarget.value)} w={260} />
          <Button type="submit" variant="default" disabled={!file || busy}>
            Upload
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

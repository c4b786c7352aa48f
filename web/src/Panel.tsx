// A titled part of a screen (a referral's notes, attachments, conversation): a bordered section named
// by its heading, so a screen reader lists it among the page's regions.
import { Card, Stack, Title } from '@mantine/core';
import type { ReactNode } from 'react';

export function Panel({ id, title, children }: { id: string; title: ReactNode; children: ReactNode }) {
  return (
    <Card withBorder component="section" aria-labelledby={id}>
      <Stack gap="xs">
        <Title order={3} size="h5" id={id}>
          {title}
        </Title>
        {children}
      </Stack>
    </Card>
  );
}

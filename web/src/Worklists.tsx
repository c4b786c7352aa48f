// The signed-in clinician's screen: the worklists, each with its count, the referrer's side and the
// receiver's, and the referrals (or advice requests) of the one chosen, soonest due first; from there
// a referral, an advice request, or a new referral. All follow the service's live events, so a
// referral that arrives or moves shows without reloading.
import { Anchor, AppShell, Badge, Button, Card, Group, NavLink, NativeSelect, Stack, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { apiClient } from './api/client';
import type { components } from './api/schema';
import { Failure, Waiting } from './App';
import type { Session } from './auth';
import { followEvents } from './live';
import { day, PRIORITY_COLOURS, standingOf } from './referral-words';
import { AdviceView } from './AdviceView';
import { DirectoryProvider, useDirectory } from './directory';
import { DraftForm } from './DraftForm';
import { ReferralView } from './ReferralView';

type Summary = components['schemas']['WorklistSummary'];
type ListName = Summary['lists'][number]['name'];
type Page = components['schemas']['WorklistPage'];
type Referral = components['schemas']['Referral'];
type AdviceRequest = components['schemas']['AdviceRequest'];
/** What the main area shows besides the chosen list. */
type Opened = { referral: number } | { advice: number } | 'new' | undefined;

const SIDES = [
  { side: 'referring', title: 'Referrals you sent' },
  { side: 'receiving', title: 'Referrals to your organisation' },
] as const;

export function Worklists({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const api = useMemo(() => apiClient(onSignOut), [onSignOut]);
  return (
    <DirectoryProvider api={api}>
      <Screen session={session} onSignOut={onSignOut} api={api} />
    </DirectoryProvider>
  );
}

function Screen({ session, onSignOut, api }: { session: Session; onSignOut: () => void; api: ReturnType<typeof apiClient> }) {
  const directory = useDirectory();
  const refers = directory?.memberships.some((membership) => membership.role === 'referrer');
  const [summary, setSummary] = useState<Summary>();
  const [chosen, setChosen] = useState<ListName>();
  const [page, setPage] = useState<Page>();
  const [failure, setFailure] = useState<string>();
  const [opened, setOpened] = useState<Opened>();
  /** Counts the live events seen, so an open referral reloads on each. */
  const [changes, setChanges] = useState(0);
  const phone = useMediaQuery('(max-width: 48em)');

  const refresh = useCallback(async () => {
    const lists = await api.GET('/api/worklists');
    if (!lists.data) return setFailure('Your worklists could not be loaded. Please try again in a moment.');
    setFailure(undefined);
    setSummary(lists.data);
    const name = chosen ?? lists.data.lists.find((list) => list.count > 0)?.name ?? lists.data.lists[0]?.name;
    if (!chosen) setChosen(name);
    if (!name) return;
    const listed = await api.GET('/api/worklists/{name}', { params: { path: { name } } });
    if (!listed.data) return setFailure('This list could not be loaded. Please try again in a moment.');
    setPage(listed.data);
  }, [api, chosen]);

  useEffect(() => {
    void refresh();
  }, [refresh]);
  useEffect(() => {
    const stop = new AbortController();
    followEvents(() => {
      setChanges((seen) => seen + 1);
      void refresh();
    }, stop.signal);
    return () => stop.abort();
  }, [session, refresh]);

  const choose = (name: ListName) => {
    setOpened(undefined);
    if (name === chosen) return;
    setPage(undefined);
    setChosen(name);
  };
  const lists = summary?.lists ?? [];
  const current = lists.find((list) => list.name === chosen);
  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 300, breakpoint: 'sm', collapsed: { mobile: true } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Title order={1} size="h3">
            Referral Hub
          </Title>
          <Group gap="sm" wrap="nowrap">
            {refers && (
              <Button size="xs" onClick={() => setOpened('new')}>
                New referral
              </Button>
            )}
            {!phone && <Text size="sm">{session.name}</Text>}
            <Button variant="default" size="xs" onClick={onSignOut}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label="Worklists">
        {SIDES.map(({ side, title }) => {
          const ofSide = lists.filter((list) => list.side === side);
          if (ofSide.length === 0) return null;
          return (
            <Stack key={side} gap={2} mb="md">
              <Text size="xs" fw={700} tt="uppercase" c="gray.7" component="h2">
                {title}
              </Text>
              {ofSide.map((list) => (
                <NavLink
                  key={list.name}
                  component="button"
                  label={list.title}
                  active={list.name === chosen && opened !== 'new'}
                  variant="filled"
                  onClick={() => choose(list.name)}
                  data-worklist={list.name}
                  rightSection={<Count value={list.count} atLeast={list.atLeast} onActive={list.name === chosen && opened !== 'new'} />}
                />
              ))}
            </Stack>
          );
        })}
      </AppShell.Navbar>
      <AppShell.Main>
        <Failure message={failure} mb="md" />
        {phone && lists.length > 0 && (
          <NativeSelect
            mb="md"
            label="Worklist"
            value={chosen}
            onChange={(event) => choose(event.currentTarget.value as ListName)}
            data={lists.map((list) => ({ value: list.name, label: `${list.title} (${list.count}${list.atLeast ? '+' : ''})` }))}
          />
        )}
        {!summary && !failure && <Waiting label="Loading your worklists…" />}
        {opened === 'new' && <DraftForm api={api} changes={changes} onSaved={(id) => setOpened({ referral: id })} onChanged={refresh} />}
        {typeof opened === 'object' && 'referral' in opened && (
          <ReferralView key={opened.referral} api={api} id={opened.referral} changes={changes} onBack={() => setOpened(undefined)} />
        )}
        {typeof opened === 'object' && 'advice' in opened && (
          <AdviceView api={api} id={opened.advice} changes={changes} onBack={() => setOpened(undefined)} onOpenReferral={(id) => setOpened({ referral: id })} />
        )}
        {current && opened === undefined && (
          <Stack component="section" aria-labelledby="list-title">
            <Title order={2} size="h3" id="list-title">
              {current.title}
            </Title>
            {!page && <Waiting label="Loading the list…" />}
            {page && page.items.length === 0 && <Text c="gray.7">Nothing here right now.</Text>}
            {page?.kind === 'referrals' &&
              (page.items as Referral[]).map((referral) => (
                <ReferralCard key={referral.id} referral={referral} onOpen={() => setOpened({ referral: referral.id })} />
              ))}
            {page?.kind === 'advice-requests' &&
              (page.items as AdviceRequest[]).map((request) => (
                <AdviceCard key={request.id} request={request} onOpen={() => setOpened({ advice: request.id })} />
              ))}
          </Stack>
        )}
      </AppShell.Main>
    </AppShell>
  );
}

function Count({ value, atLeast, onActive }: { value: number; atLeast: boolean; onActive: boolean }) {
  const variant = onActive ? 'white' : value > 0 ? 'filled' : 'light';
  return (
    <Badge variant={variant} color={value > 0 ? 'blue' : 'gray'} aria-label={`${value}${atLeast ? ' or more' : ''} referrals`}>
      {value}
      {atLeast ? '+' : ''}
    </Badge>
  );
}

function ReferralCard({ referral, onOpen }: { referral: Referral; onOpen: () => void }) {
  const directory = useDirectory();
  const named = (reference: string) => directory?.nameOf(reference) ?? reference.replace('Organization/', '');
  return (
    <Card withBorder padding="md" radius="md" data-referral-id={referral.id}>
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <Stack gap={4}>
          <Anchor component="button" type="button" fw={600} c="dark" ta="left" onClick={onOpen}>
            {referral.referralDisplay ?? referral.referralCode}
          </Anchor>
          <Text size="sm" c="gray.7">
            Referral {referral.id} · {referral.patientId.replace('Patient/', 'Patient ')} · {named(referral.sendingOrganisationId)} →{' '}
            {named(referral.receivingOrganisationId)}
          </Text>
          <Text size="sm">{standingOf(referral)}</Text>
          {referral.responseDueAt && (
            <Text size="sm" c={referral.overdue ? 'red.8' : undefined} fw={referral.overdue ? 600 : undefined}>
              {referral.overdue ? 'Overdue: an answer was due ' : 'Answer due '}
              {day(referral.responseDueAt)}
            </Text>
          )}
        </Stack>
        <Badge color={PRIORITY_COLOURS[referral.priority]} style={{ flexShrink: 0 }}>
          {referral.priority.toLowerCase()}
        </Badge>
      </Group>
    </Card>
  );
}

function AdviceCard({ request, onOpen }: { request: AdviceRequest; onOpen: () => void }) {
  const directory = useDirectory();
  return (
    <Card withBorder padding="md" radius="md" data-advice-id={request.id}>
      <Stack gap={4}>
        <Anchor component="button" type="button" fw={600} c="dark" ta="left" onClick={onOpen}>
          Advice: {request.subject}
        </Anchor>
        <Text size="sm" c="gray.7">
          {request.patientId.replace('Patient/', 'Patient ')} · {directory?.nameOf(request.sendingOrganisationId) ?? request.sendingOrganisationId} →{' '}
          {directory?.nameOf(request.receivingOrganisationId) ?? request.receivingOrganisationId}
        </Text>
        <Text size="sm">
          {request.messages.length} messages{request.pleaseRefer ? ' · the specialist asks you to refer' : ''}
        </Text>
      </Stack>
    </Card>
  );
}

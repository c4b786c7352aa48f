// The clinician app: signed out, the sign-in; back from the sign-in, the code exchanged; signed in,
// the worklists.
import { Alert, Button, Center, Loader, Paper, Stack, Text, Title, type MantineSpacing } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { completeSignIn, currentSession, signIn, signOut, type Session } from './auth';
import { Worklists } from './Worklists';

export function App() {
  const returning = location.pathname.endsWith('/callback');
  const [session, setSession] = useState<Session | undefined>(() => (returning ? undefined : currentSession()));
  const [failure, setFailure] = useState<string>();

  useEffect(() => {
    if (!returning) return;
    completeSignIn(new URLSearchParams(location.search))
      .then(setSession, (error: Error) => setFailure(error.message))
      .finally(() => history.replaceState(null, '', '/app/'));
  }, [returning]);

  const leave = useCallback(() => {
    signOut();
    setSession(undefined);
  }, []);
  if (session) return <Worklists session={session} onSignOut={leave} />;
  if (returning && !failure) return <Waiting label="Signing you in…" />;
  return <SignIn failure={failure} />;
}

function SignIn({ failure: returned }: { failure?: string }) {
  const [failure, setFailure] = useState(returned);
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" radius="md" maw={420} w="100%">
        <Stack>
          <Title order={1} size="h2">
            Referral Hub
          </Title>
          <Text>For clinicians: the referrals you send and the ones you receive, with the patient’s consent in view.</Text>
          {failure && (
            <Alert color="red" title="You are not signed in" role="alert">
              {failure}
            </Alert>
          )}
          <Button size="md" onClick={() => void signIn().catch((error: Error) => setFailure(error.message))}>
            Sign in
          </Button>
          <Text size="sm" c="gray.7">
            Patients: <a href="/consent/portal">your consent portal</a> is where you choose who may read your records.
          </Text>
        </Stack>
      </Paper>
    </Center>
  );
}

export function Waiting({ label }: { label: string }) {
  return (
    <Center mih="50vh" component="main">
      <Stack align="center">
        <Loader aria-hidden />
        <Text role="status">{label}</Text>
      </Stack>
    </Center>
  );
}

/** What went wrong, said where it happened; nothing when nothing did. */
export function Failure({ message, mb }: { message?: string; mb?: MantineSpacing }) {
  if (!message) return null;
  return (
    <Alert color="red" role="alert" mb={mb}>
      {message}
    </Alert>
  );
}

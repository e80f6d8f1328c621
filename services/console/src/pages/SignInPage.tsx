import { Alert, Anchor, Button, Center, Paper, PasswordInput, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link, Navigate, useLocation } from 'react-router';
import { ApiError } from '../api/client.js';
import { useSession } from '../session/SessionContext.js';

type Kind = 'apiKey' | 'token';

const HELP: Record<Kind, string> = {
  apiKey: 'A supervisor or admin key, sk_…, from `supportstream apikeys create`.',
  token: 'A JWT from your identity provider, as you would send it as a Bearer token.',
};

/** Why a sign-in failed, in plain words. */
function explain(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Sign-in failed unexpectedly. Retry, or reload the page.';
  if (error.status === 401) return `The gateway refused this credential: ${error.message}.`;
  if (error.status === 403) return `This credential cannot open the console: ${error.message}.`;
  if (error.status === 429) return `Too many attempts with this credential: ${error.message}.`;
  return error.message;
}

export function SignInPage() {
  const { state, signIn } = useSession();
  const location = useLocation();
  const [kind, setKind] = useState<Kind>('apiKey');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | undefined>();
  // A 403 here is a customer credential: point to the page that takes it.
  const [refusedRole, setRefusedRole] = useState(false);
  const [busy, setBusy] = useState(false);

  if (state.status === 'signedIn') {
    const from = (location.state as { from?: string } | null)?.from;
    return <Navigate to={from ?? '/approvals'} replace />;
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const credential = value.trim();
    if (credential === '') {
      setError(kind === 'apiKey' ? 'Enter an API key.' : 'Enter a token.');
      return;
    }
    setBusy(true);
    setError(undefined);
    setRefusedRole(false);
    try {
      await signIn(kind === 'apiKey' ? { apiKey: credential } : { token: credential });
    } catch (caught) {
      setError(explain(caught));
      setRefusedRole(caught instanceof ApiError && caught.status === 403 && caught.code === 'FORBIDDEN');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center component="main" className="sign-in">
      <Paper component="form" onSubmit={(event: FormEvent) => void submit(event)} withBorder shadow="sm" p="xl" radius="md" className="sign-in-card" noValidate aria-labelledby="sign-in-title">
        <Stack gap="md">
          <div>
            <Title order={1} size="h2" id="sign-in-title">
              Sign in to the console
            </Title>
            <Text c="dimmed" size="sm">
              Supervisors and operators of one tenant. Customer credentials cannot sign in: customers write in the{' '}
              <Anchor component={Link} to="/chat" size="sm">
                customer chat
              </Anchor>
              .
            </Text>
          </div>
          {state.status === 'signedOut' && state.notice !== undefined && (
            <Alert color="blue" variant="light" role="status">
              {state.notice}
            </Alert>
          )}
          <SegmentedControl
            fullWidth
            aria-label="Credential type"
            value={kind}
            onChange={(next) => {
              setKind(next);
              setError(undefined);
            }}
            data={[
              { value: 'apiKey', label: 'API key' },
              { value: 'token', label: 'JWT' },
            ]}
          />
          <PasswordInput
            label={kind === 'apiKey' ? 'API key' : 'Token (JWT)'}
            description={HELP[kind]}
            value={value}
            onChange={(event) => setValue(event.currentTarget.value)}
            autoComplete="off"
            spellCheck={false}
            required
            data-autofocus
            error={error !== undefined}
          />
          {error !== undefined && (
            <Alert color="red" variant="light" role="alert" title="Not signed in">
              {error}
              {refusedRole && (
                <>
                  {' '}
                  A customer token opens the{' '}
                  <Anchor component={Link} to="/chat" size="sm">
                    customer chat
                  </Anchor>{' '}
                  instead.
                </>
              )}
            </Alert>
          )}
          <Button type="submit" loading={busy} fullWidth>
            Sign in
          </Button>
          <Text size="xs" c="dimmed">
            The credential is sent once to the gateway, which answers with a session cookie this page cannot read. Nothing is stored in the browser.
          </Text>
        </Stack>
      </Paper>
    </Center>
  );
}

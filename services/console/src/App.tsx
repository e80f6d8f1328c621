import { Center, Loader, MantineProvider, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { BrowserRouter, Navigate, Outlet, Route, Routes, useLocation } from 'react-router';
import { Shell } from './layout/Shell.js';
import { ApprovalsPage } from './pages/ApprovalsPage.js';
import { AuditPage } from './pages/AuditPage.js';
import { ChatPage } from './pages/ChatPage.js';
import { ConversationPage } from './pages/ConversationPage.js';
import { ConversationsPage } from './pages/ConversationsPage.js';
import { DeadLettersPage } from './pages/DeadLettersPage.js';
import { OverviewPage } from './pages/OverviewPage.js';
import { SignInPage } from './pages/SignInPage.js';
import { SessionProvider, useSession } from './session/SessionContext.js';

/** Signed-in pages: while the session is checked a spinner, without one the sign-in page. */
function SignedIn() {
  const { state } = useSession();
  const location = useLocation();
  if (state.status === 'checking') {
    return (
      <Center className="full-height">
        <Loader aria-label="Checking the session" />
      </Center>
    );
  }
  if (state.status === 'signedOut') return <Navigate to="/sign-in" replace state={{ from: location.pathname }} />;
  return <Shell session={state.session} />;
}

/** The console's pages share the session (checked once with GET /v1/session); the customer chat is outside it. */
function WithSession() {
  return (
    <SessionProvider>
      <Outlet />
    </SessionProvider>
  );
}

function NotFound() {
  return <Text>There is no such page in the console.</Text>;
}

/** The providers every screen needs: Mantine (CSS variables come from its stylesheet, so no style element is injected: the CSP allows none), the router under /console, the session. */
export function Providers({ children }: { readonly children: ReactNode }) {
  return (
    <MantineProvider withCssVariables={false} withGlobalClasses={false}>
      {children}
    </MantineProvider>
  );
}

export function App() {
  return (
    <Providers>
      <BrowserRouter basename="/console">
        <Routes>
          <Route path="/chat" element={<ChatPage />} />
          <Route element={<WithSession />}>
            <Route path="/sign-in" element={<SignInPage />} />
            <Route element={<SignedIn />}>
              <Route index element={<Navigate to="/approvals" replace />} />
              <Route path="/overview" element={<OverviewPage />} />
              <Route path="/approvals" element={<ApprovalsPage />} />
              <Route path="/conversations" element={<ConversationsPage />} />
              <Route path="/conversations/:id" element={<ConversationPage />} />
              <Route path="/conversations/:id/audit" element={<AuditPage />} />
              <Route path="/dead-letters" element={<DeadLettersPage />} />
              <Route path="*" element={<NotFound />} />
            </Route>
          </Route>
        </Routes>
      </BrowserRouter>
    </Providers>
  );
}

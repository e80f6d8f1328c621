import { Anchor, Badge, Button, Group, Text } from '@mantine/core';
import { useState } from 'react';
import { NavLink, Outlet } from 'react-router';
import type { SessionInfo } from '../api/types.js';
import { useSession } from '../session/SessionContext.js';

const LINKS = [
  { to: '/overview', label: 'Overview' },
  { to: '/approvals', label: 'Approvals' },
  { to: '/conversations', label: 'Conversations' },
  { to: '/dead-letters', label: 'Dead letters' },
] as const;

function Identity({ session }: { readonly session: SessionInfo }) {
  return (
    <Group gap={6} wrap="nowrap" className="identity" aria-label="Signed in as">
      <Text size="sm" fw={500} truncate="end" title={session.subject} className="identity-subject">
        {session.subject}
      </Text>
      <Badge variant="light" size="sm">
        {session.role}
      </Badge>
      <Badge variant="outline" size="sm" color="gray" title="Tenant">
        {session.tenantId}
      </Badge>
    </Group>
  );
}

/** The page frame once signed in: the header (brand, navigation, who, sign out) and the page. */
export function Shell({ session }: { readonly session: SessionInfo }) {
  const { signOut } = useSession();
  const [leaving, setLeaving] = useState(false);
  return (
    <div className="shell">
      <header className="shell-header">
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <Text component="span" fw={700} className="brand">
          supportstream <span className="brand-sub">console</span>
        </Text>
        <nav aria-label="Main" className="shell-nav">
          {LINKS.map((link) => (
            <Anchor key={link.to} component={NavLink} to={link.to} className="nav-link" underline="never">
              {link.label}
            </Anchor>
          ))}
        </nav>
        <Group gap="sm" wrap="nowrap" className="shell-user">
          <Identity session={session} />
          <Button
            variant="default"
            size="xs"
            loading={leaving}
            onClick={() => {
              setLeaving(true);
              void signOut();
            }}
          >
            Sign out
          </Button>
        </Group>
      </header>
      <main id="main" className="shell-main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}

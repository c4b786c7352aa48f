// Who is who and what a referral is chosen from, loaded once per sign-in: the organisations one may
// refer to with their apps, the practitioners and the clinician's own roles (GET /api/directory), and
// the kinds, reasons and priorities of a referral (GET /api/referrals/choices). Screens name people,
// organisations and codes through it instead of showing ids.
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { ApiClient } from './api/client';
import type { components } from './api/schema';

type Network = components['schemas']['Network'];
type Choices = components['schemas']['ReferralChoices'];
type Organization = Network['organizations'][number];

export interface Directory {
  organizations: Organization[];
  memberships: Network['memberships'];
  choices: Choices;
  /** An organisation's or a practitioner's name by its reference; the id when the directory does not know it. */
  nameOf(reference: string): string;
  /** A reason or a kind of referral by name, with its code; the code alone when unknown. */
  codeNamed(code: string): string;
}

const DirectoryContext = createContext<Directory | undefined>(undefined);

/** The directory; undefined while it loads or if it could not be loaded (screens then show ids). */
export const useDirectory = () => useContext(DirectoryContext);

export function DirectoryProvider({ api, children }: { api: ApiClient; children: ReactNode }) {
  const [loaded, setLoaded] = useState<{ network: Network; choices: Choices }>();
  useEffect(() => {
    void Promise.all([api.GET('/api/directory'), api.GET('/api/referrals/choices')]).then(([network, choices]) => {
      if (network.data && choices.data) setLoaded({ network: network.data, choices: choices.data });
    });
  }, [api]);
  const directory = useMemo(() => loaded && directoryOf(loaded.network, loaded.choices), [loaded]);
  return <DirectoryContext.Provider value={directory}>{children}</DirectoryContext.Provider>;
}

function directoryOf(network: Network, choices: Choices): Directory {
  const names = new Map([...network.organizations, ...network.practitioners].map((entry) => [entry.reference, entry.name]));
  const codes = new Map([...choices.kinds, ...choices.reasons].map((entry) => [entry.code, entry.display]));
  return {
    organizations: network.organizations,
    memberships: network.memberships,
    choices,
    nameOf: (reference) => names.get(reference) ?? reference.replace(/^[A-Za-z]+\//, ''),
    codeNamed: (code) => (codes.has(code) ? `${codes.get(code)} (${code})` : code),
  };
}

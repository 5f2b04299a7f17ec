import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiProblem, api, data } from '../api/client.ts';

/** The signed-in caller as GET /api/v1/identity/me describes them (person or staff). */
export type Profile = NonNullable<Awaited<ReturnType<typeof loadProfile>>>;

async function loadProfile() {
  try {
    return await data(api.GET('/api/v1/identity/me'));
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 401) return null;
    throw error;
  }
}

interface SessionState {
  /** undefined while loading, null when nobody is signed in. */
  profile: Profile | null | undefined;
  /** Reads the profile again (after login, real-name verification, switching identity). */
  refresh(): Promise<void>;
  logout(): Promise<void>;
}

const SessionContext = createContext<SessionState>({
  profile: undefined,
  refresh: async () => undefined,
  logout: async () => undefined,
});

/** The session cookie is the server's; the page only mirrors who it belongs to. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [profile, setProfile] = useState<Profile | null | undefined>(undefined);
  const refresh = useCallback(async () => {
    setProfile(await loadProfile().catch(() => null));
  }, []);
  const logout = useCallback(async () => {
    await api.POST('/api/v1/identity/logout').catch(() => undefined);
    setProfile(null);
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  const value = useMemo(() => ({ profile, refresh, logout }), [profile, refresh, logout]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export const useSession = () => useContext(SessionContext);

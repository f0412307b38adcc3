import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, currentKey, setKey, whenUnauthenticated } from './api.ts';
import type { Me, Permission } from './types.ts';

/**
 * The signed-in key (C4 sign-in): its role, origin and permissions, from
 * `GET /v1/me`. The console shows only what these permissions allow — never a
 * page or button the API would refuse.
 */
export interface Session {
  readonly me: Me;
  readonly can: (permission: Permission) => boolean;
  readonly signOut: () => void;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

/** The session, or null before sign-in (the sign-in page and the layout use this). */
export function useOptionalSession(): Session | null {
  return useContext(SessionContext);
}

export const ME_QUERY = ['me'] as const;

export function SessionProvider({
  children,
  signIn,
}: {
  readonly children: ReactNode;
  /** The sign-in page: it checks a key with `GET /v1/me` and hands both over. */
  readonly signIn: (onSignedIn: (key: string, me: Me) => void, ended: boolean) => ReactNode;
}) {
  const queryClient = useQueryClient();
  const [key, setKeyState] = useState(currentKey);
  /** The API refused the key (401: revoked or unknown): the sign-in page says why the session ended. */
  const [ended, setEnded] = useState(false);
  const me = useQuery({
    queryKey: ME_QUERY,
    queryFn: () => api<Me>('/v1/me'),
    enabled: key !== null,
    staleTime: 60_000,
    retry: false,
  });
  const endSession = useCallback(() => {
    setKey(null);
    setKeyState(null);
    queryClient.clear();
  }, [queryClient]);
  const signOut = useCallback(() => {
    setEnded(false);
    endSession();
  }, [endSession]);
  useEffect(() => {
    whenUnauthenticated(() => {
      setEnded(true);
      endSession();
    });
  }, [endSession]);
  const session = useMemo<Session | null>(() => {
    if (!me.data || key === null) return null;
    const granted = new Set(me.data.permissions);
    return { me: me.data, can: (p) => granted.has(p), signOut };
  }, [me.data, key, signOut]);
  if (key === null || me.isError) {
    return (
      <>
        {signIn((newKey, newMe) => {
          setEnded(false);
          queryClient.clear();
          queryClient.setQueryData(ME_QUERY, newMe);
          setKey(newKey);
          setKeyState(newKey);
        }, ended)}
      </>
    );
  }
  if (!session) return <div className="page-loading" aria-busy="true" />;
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

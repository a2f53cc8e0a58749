import { useQuery } from '@tanstack/react-query';
import { useSignedIn } from '../session/SessionProvider';

/**
 * Names of the organization's members by user id (the first 100), to show "Ada Lovelace" rather than a
 * UUID where the API returns ids. Unknown ids (removed members, more than 100) stay ids.
 */
export function useMemberNames(): (userId: string) => string | undefined {
  const { client, me } = useSignedIn();
  const members = useQuery({
    queryKey: ['members', 'names'],
    queryFn: () => client.members.list({ limit: 100 }),
    staleTime: 60_000,
  });
  return (userId) => {
    if (userId === me.user.id) return 'you';
    return members.data?.data.find((m) => m.user_id === userId)?.name;
  };
}

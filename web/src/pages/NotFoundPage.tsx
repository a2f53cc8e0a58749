import { Link } from 'wouter';
import { PageHeading } from '../components/PageHeading';

export function NotFoundPage() {
  return (
    <>
      <PageHeading title="Page not found" />
      <p>
        There is no page here. <Link href="/keys">Go to the API keys</Link>.
      </p>
    </>
  );
}

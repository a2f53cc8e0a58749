// Tests run on the embedded database in memory unless DATABASE_URL points at a server.
process.env.NODE_ENV = 'test';
process.env.PGLITE_DATA_DIR ??= 'memory://';
// Cheap hashes keep the suite fast; production's default is 12.
process.env.BCRYPT_COST ??= '4';
process.env.LOG_LEVEL ??= 'silent';
process.env.JWT_SECRET ??= 'test-secret-test-secret-test-secret-0123';
// Each test file counts failures and keeps key verifiers apart in a shared Redis (runs overlap within a minute).
process.env.REDIS_NAMESPACE ??= `kaizen-test-${process.pid}-${Date.now().toString(36)}`;
// Every suite registers its organizations from 127.0.0.1 (counted cluster-wide through Redis):
// the registration-flood tests lower this again for the app they start.
process.env.REGISTRATIONS_PER_ADDRESS_PER_HOUR ??= '1000000';
// The key-policy job would add audit entries (api_key.expiring) to other suites' organizations at times
// they cannot predict; the suites that test it set their own interval.
process.env.KEY_POLICY_JOB_MS ??= '86400000';
// Webhook receivers in tests listen on 127.0.0.1 (the contract: tests and development allow private URLs);
// the outbound-safety specs turn it off for the app they start.
process.env.WEBHOOK_ALLOW_PRIVATE_URLS ??= 'true';
// Each app polls for due webhook deliveries; suites that do not send webhooks should not see that
// background query (some count queries). An instance still sends at once what it commits itself;
// the webhook specs set their own, short, interval.
process.env.WEBHOOK_POLL_MS ??= '60000';

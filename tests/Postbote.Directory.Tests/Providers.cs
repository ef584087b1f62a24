using Postbote.TestSupport.Peers;

namespace Postbote.Directory.Tests;

// The directory suite, once per provider: each abstract test class closed over SQLite and over PostgreSQL (one test
// cluster for the whole "postgres" collection, a fresh database per test).

public sealed class SqliteAdminAccountTests() : AdminAccountTests(new SqliteDirectoryProvider());
public sealed class SqliteAliasExpansionLimitTests() : AliasExpansionLimitTests(new SqliteDirectoryProvider());
public sealed class SqliteAliasTests() : AliasTests(new SqliteDirectoryProvider());
public sealed class SqliteDomainTests() : DomainTests(new SqliteDirectoryProvider());
public sealed class SqliteHasRecipientsTests() : HasRecipientsTests(new SqliteDirectoryProvider());
public sealed class SqliteResolutionTests() : ResolutionTests(new SqliteDirectoryProvider());
public sealed class SqliteSaslIntegrationTests() : SaslIntegrationTests(new SqliteDirectoryProvider());
public sealed class SqliteUserTests() : UserTests(new SqliteDirectoryProvider());

[Collection(PostgresCollection.Name)]
public sealed class PostgresAdminAccountTests(PostgresTestCluster pg) : AdminAccountTests(new PostgresDirectoryProvider(pg));
[Collection(PostgresCollection.Name)]
public sealed class PostgresAliasExpansionLimitTests(PostgresTestCluster pg) : AliasExpansionLimitTests(new PostgresDirectoryProvider(pg));
[Collection(PostgresCollection.Name)]
public sealed class PostgresAliasTests(PostgresTestCluster pg) : AliasTests(new PostgresDirectoryProvider(pg));
[Collection(PostgresCollection.Name)]
public sealed class PostgresDomainTests(PostgresTestCluster pg) : DomainTests(new PostgresDirectoryProvider(pg));
[Collection(PostgresCollection.Name)]
public sealed class PostgresHasRecipientsTests(PostgresTestCluster pg) : HasRecipientsTests(new PostgresDirectoryProvider(pg));
[Collection(PostgresCollection.Name)]
public sealed class PostgresResolutionTests(PostgresTestCluster pg) : ResolutionTests(new PostgresDirectoryProvider(pg));
[Collection(PostgresCollection.Name)]
public sealed class PostgresSaslIntegrationTests(PostgresTestCluster pg) : SaslIntegrationTests(new PostgresDirectoryProvider(pg));
[Collection(PostgresCollection.Name)]
public sealed class PostgresUserTests(PostgresTestCluster pg) : UserTests(new PostgresDirectoryProvider(pg));

using Berth.Storage.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Storage.Tests.Metadata.Conformance;

// Every conformance suite on PostgreSQL (a fresh database per test): one trivial class per suite, listed together (not
// one file each) so that this file shows at a glance what runs on PostgreSQL.

[Collection(PostgresCollection.Name)]
public sealed class PostgresMetadataStoreLifecycleTests(PostgresServer server) : MetadataStoreLifecycleConformanceTests<PostgresStoreProvider>(new PostgresStoreProvider(server));

[Collection(PostgresCollection.Name)]
public sealed class PostgresTenantStoreTests(PostgresServer server) : TenantStoreConformanceTests<PostgresStoreProvider>(new PostgresStoreProvider(server));

[Collection(PostgresCollection.Name)]
public sealed class PostgresArtifactStoreTests(PostgresServer server) : ArtifactStoreConformanceTests<PostgresStoreProvider>(new PostgresStoreProvider(server));

[Collection(PostgresCollection.Name)]
public sealed class PostgresArtifactDependencyTests(PostgresServer server) : ArtifactDependencyConformanceTests<PostgresStoreProvider>(new PostgresStoreProvider(server));

[Collection(PostgresCollection.Name)]
public sealed class PostgresUploadStoreTests(PostgresServer server) : UploadStoreConformanceTests<PostgresStoreProvider>(new PostgresStoreProvider(server));

[Collection(PostgresCollection.Name)]
public sealed class PostgresUserStoreTests(PostgresServer server) : UserStoreConformanceTests<PostgresStoreProvider>(new PostgresStoreProvider(server));

[Collection(PostgresCollection.Name)]
public sealed class PostgresPullStatsStoreTests(PostgresServer server) : PullStatsStoreConformanceTests<PostgresStoreProvider>(new PostgresStoreProvider(server));

[Collection(PostgresCollection.Name)]
public sealed class PostgresAdvisoryStoreTests(PostgresServer server) : AdvisoryStoreConformanceTests<PostgresStoreProvider>(new PostgresStoreProvider(server));

[Collection(PostgresCollection.Name)]
public sealed class PostgresScanStoreTests(PostgresServer server) : ScanStoreConformanceTests<PostgresStoreProvider>(new PostgresStoreProvider(server));

[Collection(PostgresCollection.Name)]
public sealed class PostgresDataProtectionKeyStoreTests(PostgresServer server) : DataProtectionKeyStoreConformanceTests<PostgresStoreProvider>(new PostgresStoreProvider(server));

[Collection(PostgresCollection.Name)]
public sealed class PostgresPagingTests(PostgresServer server) : PagingConformanceTests<PostgresStoreProvider>(new PostgresStoreProvider(server));

[Collection(PostgresCollection.Name)]
public sealed class PostgresListingStoreTests(PostgresServer server) : ListingStoreConformanceTests<PostgresStoreProvider>(new PostgresStoreProvider(server));

[Collection(PostgresCollection.Name)]
public sealed class PostgresRegistryTokenStoreTests(PostgresServer server) : RegistryTokenStoreConformanceTests<PostgresStoreProvider>(new PostgresStoreProvider(server));

[Collection(PostgresCollection.Name)]
public sealed class PostgresFederationStoreTests(PostgresServer server) : FederationStoreConformanceTests<PostgresStoreProvider>(new PostgresStoreProvider(server));

[Collection(PostgresCollection.Name)]
public sealed class PostgresArtifactBinTests(PostgresServer server) : ArtifactBinConformanceTests<PostgresStoreProvider>(new PostgresStoreProvider(server));

[Collection(PostgresCollection.Name)]
public sealed class PostgresCleanupStoreTests(PostgresServer server) : CleanupStoreConformanceTests<PostgresStoreProvider>(new PostgresStoreProvider(server));

[Collection(PostgresCollection.Name)]
public sealed class PostgresTagImmutabilityStoreTests(PostgresServer server) : TagImmutabilityStoreConformanceTests<PostgresStoreProvider>(new PostgresStoreProvider(server));

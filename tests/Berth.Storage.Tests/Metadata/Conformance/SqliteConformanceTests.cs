namespace Berth.Storage.Tests.Metadata.Conformance;

// Every conformance suite on SQLite: one trivial class per suite, listed together (not one file each) so that this
// file shows at a glance what runs on SQLite, and a new suite is added to both backends side by side.

public sealed class SqliteMetadataStoreLifecycleTests() : MetadataStoreLifecycleConformanceTests<SqliteStoreProvider>(new SqliteStoreProvider());

public sealed class SqliteTenantStoreTests() : TenantStoreConformanceTests<SqliteStoreProvider>(new SqliteStoreProvider());

public sealed class SqliteArtifactStoreTests() : ArtifactStoreConformanceTests<SqliteStoreProvider>(new SqliteStoreProvider());

public sealed class SqliteArtifactDependencyTests() : ArtifactDependencyConformanceTests<SqliteStoreProvider>(new SqliteStoreProvider());

public sealed class SqliteUploadStoreTests() : UploadStoreConformanceTests<SqliteStoreProvider>(new SqliteStoreProvider());

public sealed class SqliteUserStoreTests() : UserStoreConformanceTests<SqliteStoreProvider>(new SqliteStoreProvider());

public sealed class SqlitePullStatsStoreTests() : PullStatsStoreConformanceTests<SqliteStoreProvider>(new SqliteStoreProvider());

public sealed class SqliteAdvisoryStoreTests() : AdvisoryStoreConformanceTests<SqliteStoreProvider>(new SqliteStoreProvider());

public sealed class SqliteScanStoreTests() : ScanStoreConformanceTests<SqliteStoreProvider>(new SqliteStoreProvider());

public sealed class SqliteDataProtectionKeyStoreTests() : DataProtectionKeyStoreConformanceTests<SqliteStoreProvider>(new SqliteStoreProvider());
public sealed class SqlitePagingTests() : PagingConformanceTests<SqliteStoreProvider>(new SqliteStoreProvider());

public sealed class SqliteListingStoreTests() : ListingStoreConformanceTests<SqliteStoreProvider>(new SqliteStoreProvider());

public sealed class SqliteRegistryTokenStoreTests() : RegistryTokenStoreConformanceTests<SqliteStoreProvider>(new SqliteStoreProvider());

public sealed class SqliteFederationStoreTests() : FederationStoreConformanceTests<SqliteStoreProvider>(new SqliteStoreProvider());

public sealed class SqliteArtifactBinTests() : ArtifactBinConformanceTests<SqliteStoreProvider>(new SqliteStoreProvider());

public sealed class SqliteCleanupStoreTests() : CleanupStoreConformanceTests<SqliteStoreProvider>(new SqliteStoreProvider());
public sealed class SqliteTagImmutabilityStoreTests() : TagImmutabilityStoreConformanceTests<SqliteStoreProvider>(new SqliteStoreProvider());

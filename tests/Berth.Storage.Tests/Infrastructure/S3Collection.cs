using Berth.Testing;

namespace Berth.Storage.Tests.Infrastructure;

/// <summary>
/// Test classes that need S3 join this collection and share one server (each takes its own buckets or prefixes).
/// Declared here, not in Berth.Testing: xUnit finds collection definitions only in the test assembly.
/// </summary>
[CollectionDefinition(Name)]
public sealed class S3Collection : ICollectionFixture<S3Server>
{
    public const string Name = "S3";
}

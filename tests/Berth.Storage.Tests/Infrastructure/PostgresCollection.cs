using Berth.Testing;

namespace Berth.Storage.Tests.Infrastructure;

/// <summary>
/// Test classes that need PostgreSQL join this collection and share one server (each takes its own databases). Declared
/// here, not in Berth.Testing: xUnit finds collection definitions only in the test assembly.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}

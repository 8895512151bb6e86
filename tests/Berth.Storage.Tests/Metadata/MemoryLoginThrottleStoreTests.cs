using Berth.Core.Metadata;

namespace Berth.Storage.Tests.Metadata;

public sealed class MemoryLoginThrottleStoreTests : LoginThrottleStoreConformanceTests
{
    protected override Task<ILoginThrottleStore> CreateStoreAsync() => Task.FromResult<ILoginThrottleStore>(new MemoryLoginThrottleStore());
}

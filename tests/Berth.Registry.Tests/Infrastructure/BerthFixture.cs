namespace Berth.Registry.Tests.Infrastructure;

/// <summary>
/// One Berth server with default settings per test class (xunit class fixture): started before the first test,
/// killed after the last. Tests isolate themselves by creating their own project/registry through <c>Admin</c>.
/// </summary>
public sealed class BerthFixture : ConfiguredBerthFixture
{
    protected override IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>();
}

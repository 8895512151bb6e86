using Berth.Scanning.Versions;

namespace Berth.Scanning.Tests.Versions;

public class Pep440VersionTests
{
    // PEP 440's "Summary of permitted suffixes and relative ordering" and normalisation sections.
    [Theory]
    [InlineData("1.0.dev1", "1.0a1", -1)]
    [InlineData("1.0a1", "1.0b2", -1)]
    [InlineData("1.0b2", "1.0rc1", -1)]
    [InlineData("1.0rc1", "1.0", -1)]
    [InlineData("1.0", "1.0.post1", -1)]
    [InlineData("1!0.1", "2.0", 1)]
    [InlineData("1.0alpha1", "1.0a1", 0)]
    [InlineData("1.0-beta.2", "1.0b2", 0)]
    [InlineData("1.0c1", "1.0rc1", 0)]
    [InlineData("1.0pre1", "1.0rc1", 0)]
    [InlineData("1.0RC1", "1.0rc1", 0)]
    [InlineData("1.0-1", "1.0.post1", 0)]
    [InlineData("1.0.rev1", "1.0.post1", 0)]
    [InlineData("1.0a", "1.0a0", 0)]
    [InlineData("v1.0", "1.0.0", 0)]
    [InlineData("1.0a1.dev1", "1.0a1", -1)]
    [InlineData("1.0a1", "1.0a1.post1", -1)]
    [InlineData("1.0.post1.dev1", "1.0.post1", -1)]
    [InlineData("1.0.dev1", "1.0a1.dev1", -1)]
    [InlineData("1.0.post1", "1.1.dev1", -1)]
    [InlineData("1.0", "1.0+local", -1)]
    [InlineData("1.0+abc", "1.0+1", -1)]
    [InlineData("1.0+1", "1.0+2", -1)]
    [InlineData("1.0+1", "1.0+1.1", -1)]
    [InlineData("1.0+Ubuntu-1", "1.0+ubuntu.1", 0)]
    [InlineData("1.9", "1.10", -1)]
    public void OrdersPerPep440(string a, string b, int expected) => Ordering.Check(Pep440Version.Instance, a, b, expected);

    [Theory]
    [InlineData("")]
    [InlineData("1.0-foo")]
    [InlineData("abc")]
    [InlineData("1.0+")]
    public void RejectsMalformed(string version) => Ordering.Invalid(Pep440Version.Instance, version);
}

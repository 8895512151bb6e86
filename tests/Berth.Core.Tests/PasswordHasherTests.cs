using Berth.Core.Tenancy;

namespace Berth.Core.Tests;

public sealed class PasswordHasherTests
{
    // The production cost is deliberately slow; the format and checks are the same at any cost.
    private const int Iterations = 1000;

    [Fact]
    public void VerifyAcceptsTheRightPasswordOnly()
    {
        var hash = PasswordHasher.Hash("correct horse", Iterations);

        Assert.True(PasswordHasher.Verify("correct horse", hash));
        Assert.False(PasswordHasher.Verify("correct horse ", hash));
        Assert.False(PasswordHasher.Verify("Correct horse", hash));
        Assert.False(PasswordHasher.Verify("", hash));
    }

    [Fact]
    public void HashRecordsSchemeAndCost()
    {
        var hash = PasswordHasher.Hash("pw", Iterations);

        Assert.StartsWith("pbkdf2-sha256$1000$", hash, StringComparison.Ordinal);
        Assert.Equal(4, hash.Split('$').Length);
    }

    [Fact]
    public void DefaultCostIsUsedAndVerifies()
    {
        var hash = PasswordHasher.Hash("pw");

        Assert.StartsWith($"pbkdf2-sha256${PasswordHasher.DefaultIterations}$", hash, StringComparison.Ordinal);
        Assert.True(PasswordHasher.Verify("pw", hash));
    }

    [Fact]
    public void UserPasswordsCostOwaspsCurrentIterationsAndOlderHashesNeedARehash()
    {
        Assert.StartsWith("pbkdf2-sha256$600000$", PasswordHasher.Hash("pw"), StringComparison.Ordinal);

        Assert.True(PasswordHasher.NeedsRehash(PasswordHasher.Hash("pw", 210_000)));
        Assert.True(PasswordHasher.NeedsRehash(PasswordHasher.Hash("pw", Iterations)));
        Assert.False(PasswordHasher.NeedsRehash(PasswordHasher.Hash("pw", 600_000)));
        Assert.False(PasswordHasher.NeedsRehash(PasswordHasher.Hash("pw", Iterations), Iterations));

        // Not ours to judge (Verify refuses it anyway): no rehash.
        Assert.False(PasswordHasher.NeedsRehash("bcrypt$12$abc$def"));
    }

    [Fact]
    public void NonAsciiPasswordsWork()
    {
        var hash = PasswordHasher.Hash("pässwörd🔑", Iterations);

        Assert.True(PasswordHasher.Verify("pässwörd🔑", hash));
        Assert.False(PasswordHasher.Verify("passwort", hash));
    }

    [Fact]
    public void SamePasswordHashesDifferentlyBecauseOfTheSalt()
    {
        var first = PasswordHasher.Hash("same", Iterations);
        var second = PasswordHasher.Hash("same", Iterations);

        Assert.NotEqual(first, second);
        Assert.NotEqual(first.Split('$')[2], second.Split('$')[2]);
        Assert.True(PasswordHasher.Verify("same", first));
        Assert.True(PasswordHasher.Verify("same", second));
    }

    [Fact]
    public void TamperedHashFails()
    {
        var parts = PasswordHasher.Hash("secret", Iterations).Split('$');
        var hash = Convert.FromBase64String(parts[3]);
        hash[0] ^= 1;
        var salt = Convert.FromBase64String(parts[2]);
        salt[^1] ^= 1;

        Assert.False(PasswordHasher.Verify("secret", string.Join('$', parts[0], parts[1], parts[2], Convert.ToBase64String(hash))));
        Assert.False(PasswordHasher.Verify("secret", string.Join('$', parts[0], parts[1], Convert.ToBase64String(salt), parts[3])));
        Assert.False(PasswordHasher.Verify("secret", string.Join('$', parts[0], "1001", parts[2], parts[3])));
        Assert.False(PasswordHasher.Verify("secret", string.Join('$', parts[0], parts[1], parts[2], parts[3][..^4])));
    }

    [Theory]
    [InlineData("")]
    [InlineData("secret")]
    [InlineData("pbkdf2-sha256")]
    [InlineData("pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA==")]
    [InlineData("pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaA==$extra")]
    [InlineData("bcrypt$1000$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==")]
    [InlineData("pbkdf2-sha256$many$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==")]
    [InlineData("pbkdf2-sha256$0$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==")]
    [InlineData("pbkdf2-sha256$-5$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==")]
    [InlineData("pbkdf2-sha256$1000$not base64!$aGFzaGhhc2hoYXNoaGFzaA==")]
    [InlineData("pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA==$not base64!")]
    [InlineData("pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA==$")]
    [InlineData("pbkdf2-sha256$1000$$aGFzaGhhc2hoYXNoaGFzaA==")]
    public void MalformedStoredHashesFailWithoutThrowing(string stored)
    {
        Assert.False(PasswordHasher.Verify("secret", stored));
    }
}

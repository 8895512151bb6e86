using System.Net;
using Berth.Core.Tenancy;
using Berth.Metadata.Sqlite;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// A user password hashed at an older, cheaper cost (as every hash made before the cost went up) is rehashed at the
/// current cost on the next successful sign-in, without signing anyone out.
/// </summary>
public sealed class UserPasswordRehashTests : IAsyncLifetime
{
    private const string OldPassword = "an old-fashioned password";
    private const int OldIterations = 210_000;

    private BerthProcess _server = null!;

    public async Task InitializeAsync() => _server = await BerthProcess.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AHashAtTheOldCostIsRehashedOnTheNextSignIn()
    {
        // What an older Berth wrote: the admin's password hashed at 210,000 iterations.
        await _server.StopAsync();
        long stamp;
        using (var store = await OpenStoreAsync())
        {
            var admin = (await store.GetUserAsync("admin", CancellationToken.None))!;
            stamp = (await store.SetUserPasswordAsync(admin.Id, PasswordHasher.Hash(OldPassword, OldIterations), DateTimeOffset.UtcNow, CancellationToken.None))!.Value;
        }

        await _server.RestartAsync();

        // A wrong password changes nothing.
        using (var wrong = new ManagementClient(_server.BaseUrl, "admin", OldPassword + "x"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.Http.GetAsync("api/v1/users/me")).StatusCode);
        }

        using (var store = await OpenStoreAsync())
        {
            Assert.StartsWith($"pbkdf2-sha256${OldIterations}$", (await store.GetUserAsync("admin", CancellationToken.None))!.PasswordHash, StringComparison.Ordinal);
        }

        using (var admin = new ManagementClient(_server.BaseUrl, "admin", OldPassword))
        {
            using var me = await admin.Http.GetAsync("api/v1/users/me");
            Assert.True(me.StatusCode == HttpStatusCode.OK, $"{me.StatusCode}\n{_server.OutputTail()}");
        }

        using (var store = await OpenStoreAsync())
        {
            var upgraded = (await store.GetUserAsync("admin", CancellationToken.None))!;
            Assert.StartsWith($"pbkdf2-sha256${PasswordHasher.DefaultIterations}$", upgraded.PasswordHash, StringComparison.Ordinal);
            Assert.True(PasswordHasher.Verify(OldPassword, upgraded.PasswordHash));

            // The password is the same, so sessions made under it stay valid.
            Assert.Equal(stamp, upgraded.SecurityStamp);
        }

        // And it still signs in, now against the new hash (a new server process: nothing remembered).
        await _server.RestartAsync();
        using (var admin = new ManagementClient(_server.BaseUrl, "admin", OldPassword))
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync("api/v1/users/me")).StatusCode);
        }
    }

    /// <summary>The server's own database, opened by this process (WAL: alongside the server when it runs).</summary>
    private async Task<SqliteMetadataStore> OpenStoreAsync()
    {
        var store = new SqliteMetadataStore(Path.Combine(_server.DataDir, "berth.db"));
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }
}

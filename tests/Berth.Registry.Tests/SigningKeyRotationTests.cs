using System.Net;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// Token signing keys are shared by configuration and rotatable: a token signed with a key that moved to
/// <c>Berth:Auth:PreviousSigningKeys</c> still verifies; once the key is removed, it no longer does.
/// </summary>
public sealed class SigningKeyRotationTests
{
    private const string OldKey = "old-signing-key-0123456789-0123456789-abcdef";
    private const string NewKey = "new-signing-key-9876543210-9876543210-fedcba";

    [Fact]
    public async Task TokensSignedWithAPreviousKeyVerifyUntilTheKeyIsRetired()
    {
        var dataDir = TempDirs.Create("berth-rotation");
        var adminPassword = "admin-" + Guid.NewGuid().ToString("N");
        try
        {
            string token;
            CreatedRegistry registry;
            await using (var server = await BerthProcess.StartAsync(dataDir, adminPassword, new Dictionary<string, string> { ["Berth__Auth__SigningKey"] = OldKey }))
            {
                using var admin = new ManagementClient(server.BaseUrl, "admin", adminPassword);
                registry = await admin.CreateProjectAndRegistryAsync("rot");
                using var client = new RegistryClient(server, registry, RegistryAuthMode.Basic);
                token = await client.GetTokenAsync($"repository:{registry.Repo("app")}:pull");
                Assert.Equal(HttpStatusCode.OK, await BaseStatusAsync(server, token));
            }

            await using (var rotated = await BerthProcess.StartAsync(dataDir, adminPassword, new Dictionary<string, string>
            {
                ["Berth__Auth__SigningKey"] = NewKey,
                ["Berth__Auth__PreviousSigningKeys__0"] = OldKey,
            }))
            {
                Assert.Equal(HttpStatusCode.OK, await BaseStatusAsync(rotated, token));
                using var client = new RegistryClient(rotated, registry, RegistryAuthMode.Basic);
                Assert.Equal(HttpStatusCode.OK, await BaseStatusAsync(rotated, await client.GetTokenAsync($"repository:{registry.Repo("app")}:pull")));
            }

            await using (var retired = await BerthProcess.StartAsync(dataDir, adminPassword, new Dictionary<string, string> { ["Berth__Auth__SigningKey"] = NewKey }))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, await BaseStatusAsync(retired, token));
            }
        }
        finally
        {
            TempDirs.TryDelete(dataDir);
        }
    }

    private static async Task<HttpStatusCode> BaseStatusAsync(BerthProcess server, string token)
    {
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}

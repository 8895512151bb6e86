using Berth.Core.Metadata;
using Berth.Core.Tenancy;
using Berth.Registry.Auth;
using Microsoft.Extensions.Hosting;

namespace Berth.Registry.Hosting;

/// <summary>
/// Runs before the server takes requests: migrates the metadata schema, loads the token signing key and
/// makes sure the administrator account exists (printing a generated password once).
/// </summary>
public sealed partial class BerthBootstrapper(
    IMetadataStore store,
    ITenantStore tenants,
    SigningKeys signingKeys,
    IUserStore users,
    TimeProvider time,
    IOptions<BerthOptions> options,
    ILogger<BerthBootstrapper> logger) : IHostedService
{
    private const string SigningKeySetting = "auth.signingKey";

    /// <summary>The bootstrap administrator's username.</summary>
    public const string AdminUsername = "admin";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.Metadata.Provider == MetadataOptions.SqliteProvider || settings.Storage.Provider == StorageOptions.FileSystemProvider)
        {
            Directory.CreateDirectory(settings.DataDir);
        }

        await store.InitializeAsync(cancellationToken);

        // Nodes share a key: from configuration, else the first node's random key stored in the database.
        var secret = settings.Auth.SigningKey
            ?? await tenants.GetOrAddSettingAsync(SigningKeySetting, Convert.ToBase64String(Secrets.NewKey()), cancellationToken);
        signingKeys.Load([SigningKey.FromSecret(secret), .. settings.Auth.PreviousSigningKeys.Select(SigningKey.FromSecret)]);

        if (await users.GetUserAsync(AdminUsername, cancellationToken) is null)
        {
            var password = settings.Admin.Password;
            var generated = string.IsNullOrEmpty(password);
            password = generated ? Secrets.NewPassword() : password!;
            try
            {
                await users.CreateUserAsync(new UserRecord(Secrets.NewId(), AdminUsername, PasswordHasher.Hash(password), IsAdmin: true, 1, time.GetUtcNow()), cancellationToken);
                if (generated)
                {
                    LogGeneratedAdminPassword(logger, AdminUsername, password);
                }
            }
            catch (MetadataConflictException)
            {
                // Another node created it at the same moment; its password stands.
            }
        }

        LogReady(logger, settings.Metadata.Provider, settings.Storage.Provider, Path.GetFullPath(settings.DataDir));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Created the administrator account. Username: {Username}  Password: {Password}  (shown once; set Berth__Admin__Password on first start to choose it)")]
    private static partial void LogGeneratedAdminPassword(ILogger logger, string username, string password);

    [LoggerMessage(Level = LogLevel.Information, Message = "Berth metadata: {Metadata}, blobs: {Storage}, data directory: {DataDir}")]
    private static partial void LogReady(ILogger logger, string metadata, string storage, string dataDir);
}

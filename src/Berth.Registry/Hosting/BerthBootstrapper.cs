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
    AdminAccount admin,
    IOptions<BerthOptions> options,
    ILogger<BerthBootstrapper> logger) : IHostedService
{
    private const string SigningKeySetting = "auth.signingKey";

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

        var adminHash = await tenants.GetSettingAsync(AdminAccount.PasswordHashSetting, cancellationToken);
        if (adminHash is null)
        {
            var password = settings.Admin.Password;
            var generated = string.IsNullOrEmpty(password);
            password = generated ? Secrets.NewPassword() : password!;
            adminHash = await tenants.GetOrAddSettingAsync(AdminAccount.PasswordHashSetting, PasswordHasher.Hash(password), cancellationToken);
            if (generated)
            {
                LogGeneratedAdminPassword(logger, AdminAccount.Username, password);
            }
        }

        admin.Load(adminHash);
        LogReady(logger, settings.Metadata.Provider, settings.Storage.Provider, Path.GetFullPath(settings.DataDir));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Created the administrator account. Username: {Username}  Password: {Password}  (shown once; set Berth__Admin__Password on first start to choose it)")]
    private static partial void LogGeneratedAdminPassword(ILogger logger, string username, string password);

    [LoggerMessage(Level = LogLevel.Information, Message = "Berth metadata: {Metadata}, blobs: {Storage}, data directory: {DataDir}")]
    private static partial void LogReady(ILogger logger, string metadata, string storage, string dataDir);
}

using Berth.Core.Metadata;
using Berth.Registry.Federation;
using Microsoft.Extensions.Hosting;

namespace Berth.Registry.Auth;

/// <summary>
/// Applies credential changes committed by other nodes (password resets, overlaps revoked early, registry deletes,
/// access token revocations, federation rule deletes) to this node's
/// <see cref="CredentialGenerations"/>, so their old passwords and tokens stop working here too within moments.
/// Runs only when the metadata store is shared (it offers an <see cref="ICredentialChangeFeed"/>).
/// </summary>
public sealed partial class CredentialChangeListener(
    IMetadataStore store,
    CredentialGenerations generations,
    RegistryTokenVerifier registryTokens,
    FederationRules federationRules,
    ILogger<CredentialChangeListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (store is not ICredentialChangeFeed feed)
        {
            return;
        }

        await foreach (var change in feed.WatchAsync(stoppingToken))
        {
            switch (change)
            {
                case { RegistryId: null }:
                    // Reconnected: anything may have happened meanwhile, so every cached generation is re-read.
                    generations.ForgetAll();
                    generations.ForgetAll();
                    registryTokens.ForgetAll();
                    federationRules.ForgetAll();
                    LogResynchronised(logger);
                    break;
                case { RevokedTokenId: { } tokenId }:
                    registryTokens.Revoked(tokenId);
                    break;
                case { DeletedFederationRuleId: { } ruleId }:
                    federationRules.PublishDeleted(ruleId);
                    break;
                case { Generation: null }:
                    generations.PublishDeleted(change.RegistryId);
                    break;
                default:
                    generations.Publish(change.RegistryId, change.Generation.Value, change.PreviousValidUntil);
                    break;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Credential change feed (re)connected; cached credential generations dropped")]
    private static partial void LogResynchronised(ILogger logger);
}

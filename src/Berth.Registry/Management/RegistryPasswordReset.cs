using Berth.Registry.Auditing;
using System.Globalization;
using Berth.Core.Metadata;
using Berth.Core.Tenancy;
using Berth.Registry.Auth;

namespace Berth.Registry.Management;

/// <summary>
/// Resetting a registry's password: takes effect at once on this node (its credential generation is published in
/// memory the moment the store commits; other nodes learn it from <see cref="CredentialChangeListener"/>) and is
/// written to the audit log. A reset may keep the previous password working for a while (rotation with overlap), and
/// that overlap may be revoked early.
/// </summary>
public sealed class RegistryPasswordReset(
    ITenantStore tenants,
    CredentialGenerations generations,
    RegistryLifecycle lifecycle,
    TimeProvider time)
{
    /// <summary>Generates a new password, stores its hash, and revokes the old password and every token issued under it.</summary>
    public async Task<string> ResetAsync(RegistryRecord registry, AuditActor actor, CancellationToken cancellationToken) =>
        (await ResetAsync(registry, keepPreviousFor: null, actor, cancellationToken)).Password;

    /// <summary>
    /// Generates a new password and stores its hash. Without <paramref name="keepPreviousFor"/> the old password and
    /// every token issued under it stop at once; with it they keep working that long (and a previous overlap ends).
    /// </summary>
    public async Task<PasswordResetResult> ResetAsync(RegistryRecord registry, TimeSpan? keepPreviousFor, AuditActor actor, CancellationToken cancellationToken)
    {
        var password = Secrets.NewPassword();
        var now = time.GetUtcNow();
        var keepUntil = now + keepPreviousFor;
        var generation = await tenants.ReplacePasswordAsync(registry.Id, PasswordHasher.Hash(password, PasswordHasher.GeneratedPasswordIterations), now, keepUntil, cancellationToken)
            ?? throw RegistryLifecycle.NotFound(registry.Name);
        generations.Publish(registry.Id, generation, keepUntil);
        await lifecycle.AuditAsync(registry, actor, "registry.password.reset",
            keepUntil is { } until
                ? string.Create(CultureInfo.InvariantCulture, $"previous password kept for {KeepPreviousFor.Format(keepPreviousFor!.Value)}, until {until:yyyy-MM-dd HH:mm:ss} UTC")
                : null,
            cancellationToken);
        return new PasswordResetResult(password, keepUntil);
    }

    /// <summary>Ends the overlap of the previous password at once: it and the tokens issued under it stop working on every node.</summary>
    /// <exception cref="ManagementException">404: no previous password is still working</exception>
    public async Task RevokePreviousAsync(RegistryRecord registry, AuditActor actor, CancellationToken cancellationToken)
    {
        var generation = await tenants.RevokePreviousPasswordAsync(registry.Id, time.GetUtcNow(), cancellationToken)
            ?? throw new ManagementException(StatusCodes.Status404NotFound, "No previous password",
                $"Registry '{registry.Name}' has no previous password still working (none was kept by a reset, or its time is over).");
        generations.Publish(registry.Id, generation, previousValidUntil: null);
        await lifecycle.AuditAsync(registry, actor, "registry.password.previous_revoked", null, cancellationToken);
    }
}

namespace Berth.Core.Metadata;

/// <summary>
/// The usage notice a registry was last announced with (<c>nearly_full</c>, <c>full</c> or none), so that each crossing
/// of a threshold is audited once however many nodes notice it.
/// </summary>
public interface IUsageNoticeStore
{
    /// <summary>The notice last recorded for the registry (null: none, or no such registry).</summary>
    Task<string?> GetUsageNoticeAsync(string registryId, CancellationToken cancellationToken);

    /// <summary>
    /// Compare-and-set: records <paramref name="notice"/> only if the registry's notice is still
    /// <paramref name="expected"/>. True for the one caller that made the change.
    /// </summary>
    Task<bool> SwapUsageNoticeAsync(string registryId, string? expected, string? notice, CancellationToken cancellationToken);
}

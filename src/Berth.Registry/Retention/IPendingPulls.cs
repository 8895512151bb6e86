namespace Berth.Registry.Retention;

/// <summary>
/// Pulls this node has served but not yet written to the metadata store. Cleanup writes them first, so an image pulled
/// a moment ago is protected by its plan; implemented by Distribution's pull recorder (Retention sits below it).
/// </summary>
public interface IPendingPulls
{
    Task FlushAsync(CancellationToken cancellationToken);
}

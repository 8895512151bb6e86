using Berth.Core.Distribution;

namespace Berth.Registry.Distribution;

/// <summary>
/// Told of every manifest PUT, on the push's own path (so it must not block). Scanning listens to queue scans on
/// push; the distribution API knows only this seam, so it does not depend on the scanner.
/// </summary>
public interface IManifestPushListener
{
    void ManifestPushed(long repositoryId, string digest, ParsedManifest manifest);
}

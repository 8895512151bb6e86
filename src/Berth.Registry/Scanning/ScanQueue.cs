using System.Threading.Channels;
using Berth.Core.Distribution;
using Berth.Core.Metadata;
using Berth.Registry.Distribution;
using Berth.Registry.Hosting;

namespace Berth.Registry.Scanning;

/// <summary>
/// Where scans are asked for. The queue itself is the scans table of the metadata store (shared by every node, kept
/// across restarts); this adds the two in-memory channels that connect the request paths to <see cref="ScanWorker"/>:
/// pushed manifests, so a push does no scanning I/O at all, and a wake-up, so a queued scan starts at once instead of
/// at the next poll.
/// </summary>
public sealed class ScanQueue(IScanStore scans, IArtifactStore artifacts, TimeProvider time, IOptions<BerthOptions> options) : IManifestPushListener
{
    // Bounded: past it a push is not scanned automatically (it can still be scanned on demand) rather than holding memory.
    private const int PushedCapacity = 10_000;

    private readonly bool _scanOnPush = options.Value.Scanning.ScanOnPush;

    private readonly Channel<PushedManifest> _pushed = Channel.CreateBounded<PushedManifest>(
        new BoundedChannelOptions(PushedCapacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly int _workers = WorkersOf(options);

    // One token per worker at most: a wake-up is "look again", so extra ones carry nothing (and are dropped).
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(WorkersOf(options)) { FullMode = BoundedChannelFullMode.DropWrite });

    internal ChannelReader<PushedManifest> Pushed => _pushed.Reader;

    /// <summary>On every manifest PUT: an image is handed to the worker to queue (a channel write: no I/O on the push).</summary>
    public void ManifestPushed(long repositoryId, string digest, ParsedManifest manifest)
    {
        if (_scanOnPush && ImageScanner.IsScannable(manifest))
        {
            _pushed.Writer.TryWrite(new PushedManifest(repositoryId, digest));
        }
    }

    /// <summary>
    /// Queues a scan now (on demand, or again): an image itself, an index through each platform image it lists.
    /// Returns the digests queued. Anything else is a <see cref="ManagementException"/> 409: it has nothing to scan.
    /// </summary>
    public async Task<IReadOnlyList<string>> QueueAsync(long repositoryId, ManifestRecord manifest, CancellationToken cancellationToken)
    {
        var parsed = ManifestValidator.ParseStored(manifest.Content, manifest.MediaType);
        var targets = new List<string>();
        if (MediaTypes.IsIndex(parsed.MediaType))
        {
            // An index lists a handful of platforms; each child is looked up once.
            foreach (var child in parsed.References.Where(r => r.Kind == ReferenceKind.Manifest).Select(r => r.Descriptor.Digest.ToString()).Distinct())
            {
                if (await artifacts.GetManifestAsync(repositoryId, child, cancellationToken) is { } record
                    && ImageScanner.IsScannable(ManifestValidator.ParseStored(record.Content, record.MediaType)))
                {
                    targets.Add(child);
                }
            }
        }
        else if (ImageScanner.IsScannable(parsed))
        {
            targets.Add(manifest.Digest);
        }

        if (targets.Count == 0)
        {
            throw new ManagementException(StatusCodes.Status409Conflict, "Nothing to scan",
                $"{manifest.Digest} is a {ManifestKinds.Classify(parsed)} manifest with no container image to scan.");
        }

        foreach (var digest in targets)
        {
            await scans.QueueScanAsync(repositoryId, digest, time.GetUtcNow(), cancellationToken);
        }

        Wake();
        return targets;
    }

    /// <summary>Tells idle workers to look for queued scans now.</summary>
    public void Wake()
    {
        // A full channel drops the write (DropWrite), so this leaves exactly one token per worker.
        for (var i = 0; i < _workers; i++)
        {
            _wake.Writer.TryWrite(true);
        }
    }

    /// <summary>Waits until <see cref="Wake"/> is called or <paramref name="poll"/> passes (scans queued by other nodes).</summary>
    internal async Task WaitForWorkAsync(TimeSpan poll, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(poll, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await _wake.Reader.ReadAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The poll interval passed.
        }
    }

    private static int WorkersOf(IOptions<BerthOptions> options) => Math.Max(1, options.Value.Scanning.Workers);

    internal readonly record struct PushedManifest(long RepositoryId, string Digest);
}

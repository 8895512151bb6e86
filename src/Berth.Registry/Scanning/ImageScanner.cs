using Berth.Core.Distribution;
using Berth.Core.Metadata;
using Berth.Core.Storage;
using Berth.Registry.Distribution;
using Berth.Registry.Storage;
using Berth.Scanning.Inventory;

namespace Berth.Registry.Scanning;

/// <summary>
/// Scans one image manifest: streams its layers from the blob store, one at a time, into a package inventory, and
/// matches the packages against the current advisories. Never throws for a bad image: the outcome says why it failed.
/// </summary>
public sealed class ImageScanner(
    IArtifactStore artifacts, IScanStore scans, RegistryBlobStore blobs, AdvisoryDatabase advisories, BlobTransfers transfers, TimeProvider time)
{
    /// <summary>Only images are scanned: indexes through their platform manifests, and never signatures, SBOMs or other artifacts.</summary>
    public static bool IsScannable(ParsedManifest manifest) => ManifestKinds.Classify(manifest) == ManifestKinds.Image;

    public async Task<ScanOutcome> ScanAsync(ScanClaim claim, CancellationToken cancellationToken)
    {
        var manifest = await artifacts.GetManifestAsync(claim.RepositoryId, claim.ManifestDigest, cancellationToken);
        if (manifest is null)
        {
            return Failed("the manifest was deleted");
        }

        var parsed = ManifestValidator.ParseStored(manifest.Content, manifest.MediaType);
        if (!IsScannable(parsed))
        {
            return Failed($"not a container image (a {ManifestKinds.Classify(parsed)} manifest)");
        }

        var layers = parsed.References
            .Where(r => r.Kind == ReferenceKind.Blob && r.Descriptor != parsed.Config)
            .Select(r => r.Descriptor)
            .ToList();
        if (layers.Find(l => !PackageInventory.IsSupportedLayer(l.MediaType)) is { } unsupported)
        {
            return Failed($"layer {unsupported.Digest} has media type '{unsupported.MediaType}', which the scanner cannot read");
        }

        var snapshot = await advisories.GetSnapshotAsync(cancellationToken);
        ImageInventory inventory;
        try
        {
            inventory = await StoredInventoryAsync(claim, cancellationToken) ?? await ReadInventoryAsync(claim, layers, cancellationToken);
        }
        catch (UnreadableLayerException ex)
        {
            return Failed(ex.Message);
        }

        var report = ScanReport.Create(inventory, snapshot.Matcher.Match(inventory.Packages, inventory.Os?.Release));
        var found = report.Advisories();
        return new ScanOutcome(ScanStatus.Done, null, snapshot.Version, ScanReport.Summarize(found), report.ToJson(), time.GetUtcNow(), found);
    }

    /// <summary>
    /// The packages a previous scan of this image found, when the current analysers found them: the layers are
    /// immutable, so a re-scan after an advisory import need not read them again.
    /// </summary>
    private async Task<ImageInventory?> StoredInventoryAsync(ScanClaim claim, CancellationToken cancellationToken)
    {
        var previous = ScanReport.FromJson((await scans.GetScanAsync(claim.RepositoryId, claim.ManifestDigest, cancellationToken))?.ReportJson);
        return previous?.InventoryVersion == ScanReport.CurrentInventoryVersion ? previous.ToInventory() : null;
    }

    /// <summary>Streams the layers into an inventory; <see cref="UnreadableLayerException"/> names a layer that can't be read.</summary>
    private async Task<ImageInventory> ReadInventoryAsync(ScanClaim claim, List<Descriptor> layers, CancellationToken cancellationToken)
    {
        // Which layer is being read, for the reason when one turns out to be unreadable.
        Descriptor? current = null;
        var sources = layers.Select(layer => new LayerSource(layer.MediaType, async ct =>
        {
            current = layer;
            return (Stream)new YieldingReadStream(await blobs.OpenReadAsync(claim.RegistryId, layer.Digest, 0, ct), transfers);
        })).ToList();

        try
        {
            return await PackageInventory.BuildAsync(sources, cancellationToken);
        }
        catch (BlobPathNotFoundException)
        {
            throw new UnreadableLayerException($"layer {current?.Digest} is missing from storage");
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException or ZstdSharp.ZstdException)
        {
            // A layer that is not the (compressed) tar its media type says: corrupt, or mislabelled by its builder.
            throw new UnreadableLayerException($"layer {current?.Digest} could not be read as {current?.MediaType}: {ex.Message}");
        }
    }

    private ScanOutcome Failed(string reason) => new(ScanStatus.Failed, reason, null, null, null, time.GetUtcNow());
}

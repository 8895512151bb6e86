namespace Berth.Core.Metadata;

/// <summary>
/// The vulnerabilities of a registry's scanned images. <see cref="Images"/> counts images with a scan (an index with its
/// platforms is one image); <see cref="NotChecked"/> those scanned while no advisories were loaded; <see cref="Summary"/>
/// counts distinct advisories over all of them, so an advisory found in many images counts once; <see cref="MostAffected"/>
/// are the images with the most findings, most severe first.
/// </summary>
public sealed record RegistryVulnerabilities(int Images, int NotChecked, ScanSummary Summary, IReadOnlyList<AffectedImage> MostAffected);

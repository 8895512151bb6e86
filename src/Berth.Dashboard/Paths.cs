namespace Berth.Dashboard;

/// <summary>Addresses of the registry pages. Repository names contain '/', so each segment is escaped on its own.</summary>
public static class Paths
{
    public static string Registry(string registry) => $"/registries/{registry}";

    public static string Repository(string registry, string repository) =>
        $"/registries/{registry}/repositories/{string.Join('/', repository.Split('/').Select(Uri.EscapeDataString))}";

    public static string Manifest(string registry, string repository, string digest) =>
        $"/registries/{registry}/manifests/{Uri.EscapeDataString(digest)}?repository={Uri.EscapeDataString(repository)}";

    public static string DeleteRepository(string registry, string repository) =>
        $"/registries/{registry}/delete-repository?repository={Uri.EscapeDataString(repository)}";

    public static string DeleteManifest(string registry, string repository, string digest) =>
        $"/registries/{registry}/manifests/{Uri.EscapeDataString(digest)}/delete?repository={Uri.EscapeDataString(repository)}";

    public static string DeleteTag(string registry, string repository, string tag) =>
        $"/registries/{registry}/delete-tag?repository={Uri.EscapeDataString(repository)}&tag={Uri.EscapeDataString(tag)}";

    public static string Deleted(string registry) => $"/registries/{registry}/deleted";
}

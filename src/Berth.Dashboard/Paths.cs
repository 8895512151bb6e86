namespace Berth.Dashboard;

/// <summary>Addresses of the registry pages. Repository names contain '/', so each segment is escaped on its own.</summary>
public static class Paths
{
    public static string Registry(string registry) => $"/registries/{registry}";

    public static string Repository(string registry, string repository) =>
        $"/registries/{registry}/repositories/{string.Join('/', repository.Split('/').Select(Uri.EscapeDataString))}";

    public static string Manifest(string registry, string repository, string digest) =>
        $"/registries/{registry}/manifests/{Uri.EscapeDataString(digest)}?repository={Uri.EscapeDataString(repository)}";
}

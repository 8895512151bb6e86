namespace Berth.Testing;

/// <summary>
/// Configuration files shared by the skopeo and podman wrappers, generated in a private directory so the host's
/// <c>/etc/containers</c> and <c>~/.docker</c> settings cannot change what the tests do: an accept-anything
/// signature policy, a registries.conf without search registries or mirrors, and an empty auth file.
/// </summary>
public sealed class ContainerTools
{
    public ContainerTools(string workDir)
    {
        WorkDir = workDir;
        Directory.CreateDirectory(workDir);
        PolicyPath = Path.Combine(workDir, "policy.json");
        File.WriteAllText(PolicyPath, "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}");
        RegistriesConfPath = Path.Combine(workDir, "registries.conf");
        File.WriteAllText(RegistriesConfPath, "unqualified-search-registries = []\nshort-name-mode = \"permissive\"\n");
        RegistriesDir = Path.Combine(workDir, "registries.d");
        Directory.CreateDirectory(RegistriesDir);
        TmpDir = Path.Combine(workDir, "tmp");
        Directory.CreateDirectory(TmpDir);
        AuthFile = Path.Combine(workDir, "auth.json");
        File.WriteAllText(AuthFile, "{\"auths\":{}}");
    }

    public string WorkDir { get; }

    public string PolicyPath { get; }

    public string RegistriesConfPath { get; }

    public string RegistriesDir { get; }

    public string TmpDir { get; }

    public string AuthFile { get; }

    /// <summary>Environment for every containers/image tool the tests run.</summary>
    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>
    {
        ["CONTAINERS_REGISTRIES_CONF"] = RegistriesConfPath,
        ["REGISTRY_AUTH_FILE"] = AuthFile,
        ["TMPDIR"] = TmpDir,
        ["DOCKER_CONFIG"] = Path.Combine(WorkDir, "docker-config"),
        ["XDG_RUNTIME_DIR"] = null,
        ["CONTAINERS_STORAGE_CONF"] = null,
        ["CONTAINERS_CONF"] = null,
    };
}

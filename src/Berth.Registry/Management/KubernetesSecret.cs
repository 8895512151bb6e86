using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Berth.Registry.Management;

/// <summary>
/// A <c>kubernetes.io/dockerconfigjson</c> Secret for pulling from a registry: the same <c>.dockerconfigjson</c> that
/// <c>kubectl create secret docker-registry</c> writes, rendered as YAML ready for <c>kubectl apply -f</c>.
/// </summary>
public static partial class KubernetesSecret
{
    /// <summary>RFC 1123 label (namespaces) and subdomain (secret names), as Kubernetes validates them.</summary>
    public static bool IsValidNamespace(string? value) => value is { Length: > 0 and <= 63 } && Label().IsMatch(value);

    public static bool IsValidName(string? value) => value is { Length: > 0 and <= 253 } && Subdomain().IsMatch(value);

    /// <summary>The <c>.dockerconfigjson</c> document: one entry for the registry's login host.</summary>
    public static string DockerConfigJson(string server, string username, string password)
    {
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes(username + ":" + password));
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("auths");
            json.WriteStartObject(server);
            json.WriteString("username", username);
            json.WriteString("password", password);
            json.WriteString("auth", auth);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The Secret manifest as YAML. Every value is either validated or base64, so nothing needs quoting.</summary>
    public static string Yaml(string @namespace, string name, string server, string username, string password) =>
        $"""
        apiVersion: v1
        kind: Secret
        metadata:
          name: {name}
          namespace: {@namespace}
        type: kubernetes.io/dockerconfigjson
        data:
          .dockerconfigjson: {Convert.ToBase64String(Encoding.UTF8.GetBytes(DockerConfigJson(server, username, password)))}

        """;

    /// <summary>The pod spec lines that use the Secret.</summary>
    public static string ImagePullSecretsSnippet(string name) =>
        $"""
        imagePullSecrets:
          - name: {name}

        """;

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Label();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Subdomain();
}

using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Testing;

namespace Berth.Dashboard.Tests;

/// <summary>Small images pushed over /v2 with a registry's credentials, for pages that need content to show.</summary>
internal static class TestPushes
{
    private const string ManifestType = "application/vnd.oci.image.manifest.v1+json";

    /// <summary>
    /// One image manifest per tag over one config and layer, pushed in order a little apart so their push times order
    /// them; returns their digests in push order.
    /// </summary>
    public static async Task<List<string>> PushManifestsAsync(Uri server, CreatedRegistry registry, string repository, IEnumerable<string> tags)
    {
        using var http = new HttpClient { BaseAddress = server };
        http.DefaultRequestHeaders.Authorization = ManagementClient.BasicAuth(registry.Username, registry.Password);
        var name = registry.Repo(repository);
        var layer = RandomNumberGenerator.GetBytes(64);
        var config = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(Digest(layer)) },
        }.ToJsonString());
        foreach (var blob in new[] { layer, config })
        {
            using var content = new ByteArrayContent(blob);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var posted = await http.PostAsync($"/v2/{name}/blobs/uploads/?digest={Digest(blob)}", content);
            Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        }

        var digests = new List<string>();
        var i = 0;
        foreach (var tag in tags)
        {
            var manifest = Encoding.UTF8.GetBytes(new JsonObject
            {
                ["schemaVersion"] = 2,
                ["mediaType"] = ManifestType,
                ["config"] = OciImageBuilder.Descriptor(OciImageBuilder.ConfigMediaType, Digest(config), config.Length),
                ["layers"] = new JsonArray(OciImageBuilder.Descriptor("application/vnd.oci.image.layer.v1.tar", Digest(layer), layer.Length)),
                ["annotations"] = new JsonObject { ["seq"] = (i++).ToString(System.Globalization.CultureInfo.InvariantCulture) },
            }.ToJsonString());
            using var content = new ByteArrayContent(manifest);
            content.Headers.ContentType = new MediaTypeHeaderValue(ManifestType);
            using var put = await http.PutAsync($"/v2/{name}/manifests/{tag}", content);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            digests.Add(Digest(manifest));

            // Push times are kept to the tick; a pause keeps two pushes from sharing one (ties go by digest).
            await Task.Delay(2);
        }

        return digests;
    }

    /// <summary>Tags t000, t001… of <paramref name="count"/> images.</summary>
    public static IEnumerable<string> NumberedTags(int count) => Enumerable.Range(0, count).Select(i => $"t{i:D3}");

    private static string Digest(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
}

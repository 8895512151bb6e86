using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Core.Distribution;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using Xunit.Abstractions;

namespace Berth.Registry.Tests;

/// <summary>
/// The hostile-input corpus: requests a careless client or an attacker sends (bad names, digests, tags, ranges, JSON,
/// UTF-8, duplicate keys, lying or malformed framing, bodies that stall or stop short), each sent over a raw socket to a
/// real server and answered with its exact 4xx (OCI code on /v2, RFC 7807 on the API), never a 500 or a stack trace.
/// </summary>
public sealed class HostileInputTests(BerthFixture fixture, ITestOutputHelper output) : IClassFixture<BerthFixture>, IAsyncLifetime
{
    private const string Problem = "problem";
    private const string ManifestType = "Content-Type: " + MediaTypes.OciManifest;
    private const string ImageConfigType = "application/vnd.oci.image.config.v1+json";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private CreatedRegistry _registry = null!;
    private RegistryClient _client = null!;
    private PushedImage _image = null!;

    private string Repo => _registry.Repo("hostile");

    private string RegistryAuth => "Authorization: " + ManagementClient.BasicAuth(_registry.Username, _registry.Password);

    private string AdminAuth => "Authorization: " + ManagementClient.BasicAuth("admin", fixture.Server.AdminPassword);

    public async Task InitializeAsync()
    {
        _registry = await fixture.NewRegistryAsync("hostile");
        _client = fixture.Client(_registry);
        _image = await ImageContent.PushSmallImageAsync(_client, Repo, "1.0");
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>One hostile request and the exact answer it must get. <see cref="Code"/>: an OCI code, <see cref="Problem"/>, or null (any body without a stack trace).</summary>
    private sealed record Hostile(string Name, string Method, string Target, int Status, string? Code, byte[] Body, string[] Headers,
        BodyDelivery Delivery = BodyDelivery.Whole, bool Admin = false, bool NoAuth = false);

    [Fact]
    public async Task EveryHostileRequestIsRefusedCleanly()
    {
        var corpus = Corpus();
        var failures = new List<string>();

        // Stalled bodies wait out the server's minimum data rate (a few seconds each): run those side by side.
        var stalled = corpus.Where(h => h.Delivery == BodyDelivery.Stalled).Select(h => CheckAsync(h)).ToList();
        foreach (var hostile in corpus.Where(h => h.Delivery != BodyDelivery.Stalled))
        {
            if (await CheckAsync(hostile) is { } failure)
            {
                failures.Add(failure);
            }
        }

        failures.AddRange((await Task.WhenAll(stalled)).OfType<string>());
        output.WriteLine($"{corpus.Count} hostile requests tried, {corpus.Count - failures.Count} answered exactly as expected.");
        Assert.True(failures.Count == 0, $"{failures.Count} of {corpus.Count} hostile requests got the wrong answer:\n" + string.Join("\n", failures) + fixture.ServerLog);

        // Client faults are not server faults: nothing at error level, no stack trace, and an aborted body is one line at Information.
        var log = fixture.Server.Output;
        Assert.DoesNotContain("fail: ", log, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", log, StringComparison.Ordinal);
        Assert.Contains("the client's request body failed (400)", log, StringComparison.Ordinal);
        Assert.Contains("the client's request body failed (408)", log, StringComparison.Ordinal);
    }

    /// <summary>
    /// A chunk cut off mid-body (the client closed its side) or stalled: none of its bytes stay in the upload, which
    /// takes the chunk again from where it stood and completes.
    /// </summary>
    [Theory]
    [InlineData(BodyDelivery.Truncated)]
    [InlineData(BodyDelivery.Stalled)]
    public async Task ABrokenChunkLeavesTheUploadWhereItWas(BodyDelivery delivery)
    {
        var first = ImageContent.RandomBlob(100);
        var location = await _client.StartUploadAsync(Repo);
        using (var patch = await _client.PatchAsync(location, first, 0))
        {
            await OciAssert.StatusAsync(patch, HttpStatusCode.Accepted);
        }

        var target = _client.Resolve(location).PathAndQuery;
        try
        {
            await RawHttp.SendAsync(fixture.Server.BaseUrl, "PATCH", target, [RegistryAuth, "Content-Range: 100-65635", "Content-Length: 65536"],
                new byte[64 * 1024], delivery, Timeout);
        }
        catch (Exception ex) when (delivery == BodyDelivery.Truncated && ex is System.Net.Sockets.SocketException or InvalidOperationException)
        {
            // The server may drop a connection its client half-closed without answering.
        }

        // The server finishes with the broken request on its own time: wait until it has (its log says so).
        var path = target.Split('?')[0];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!fixture.Server.Output.Contains($"PATCH {path}: the client", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        using (var status = await _client.GetAsync(location))
        {
            await OciAssert.StatusAsync(status, HttpStatusCode.NoContent);
            Assert.Equal("0-99", RegistryClient.Header(status, "Range"));
        }

        var second = ImageContent.RandomBlob(50);
        using (var patch = await _client.PatchAsync(location, second, 100))
        {
            await OciAssert.StatusAsync(patch, HttpStatusCode.Accepted, fixture.ServerLog);
        }

        using var put = await _client.PutUploadAsync(location, ImageContent.DigestOf([.. first, .. second]));
        await OciAssert.StatusAsync(put, HttpStatusCode.Created, fixture.ServerLog);
    }

    /// <summary>
    /// Any bytes are a valid config blob to the distribution spec, so a config with invalid UTF-8, a key given twice or
    /// no JSON at all is accepted at push; the repository's artifact list, the manifest detail and both dashboard pages
    /// still answer, showing the config as unreadable rather than failing.
    /// </summary>
    [Theory]
    [InlineData("invalid UTF-8 in a label")]
    [InlineData("duplicate label keys")]
    [InlineData("lone surrogate in a label")]
    [InlineData("not JSON")]
    public async Task AnUnreadableConfigIsShownAsUnreadable(string kind)
    {
        var layer = ImageContent.RandomBlob(256);
        var layerDigest = await _client.PushBlobAsync(Repo, layer);
        var valid = Encoding.UTF8.GetString(ImageContent.Config(layerDigest, "marker"));
        var config = kind switch
        {
            "invalid UTF-8 in a label" => [.. Encoding.UTF8.GetBytes(valid[..valid.IndexOf("marker", StringComparison.Ordinal)]), 0xC3, 0x28,
                .. Encoding.UTF8.GetBytes(valid[valid.IndexOf("marker", StringComparison.Ordinal)..])],
            "duplicate label keys" => Encoding.UTF8.GetBytes(valid.Replace("\"test\":\"marker\"", "\"test\":\"a\",\"test\":\"b\"", StringComparison.Ordinal)),
            "lone surrogate in a label" => Encoding.UTF8.GetBytes(valid.Replace("marker", "\\ud800", StringComparison.Ordinal)),
            _ => Encoding.UTF8.GetBytes("not json at all " + Guid.NewGuid()),
        };
        var configDigest = await _client.PushBlobAsync(Repo, config);
        var repository = "unreadable/" + Guid.NewGuid().ToString("N")[..8];
        var name = _registry.Repo(repository);
        await _client.PushBlobAsync(name, layer);
        await _client.PushBlobAsync(name, config);
        var digest = await _client.PushManifestAsync(name, "1", ImageContent.Manifest((configDigest, config.Length), (layerDigest, layer.Length)));

        var api = $"api/v1/registries/{_registry.Name}/repositories/{ManagementClient.EscapePath(repository)}";
        var artifacts = await GetOkAsync(fixture.Admin.Http, $"{api}/artifacts");
        var artifact = Assert.Single(JsonNode.Parse(artifacts)!.AsArray());
        Assert.Equal(digest, artifact!["digest"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(artifact["configUnreadable"]?.GetValue<string>()), artifacts);

        var detail = JsonNode.Parse(await GetOkAsync(fixture.Admin.Http, $"{api}/manifests/{digest}"))!;
        Assert.False(string.IsNullOrEmpty(detail["config"]?["unreadable"]?.GetValue<string>()), detail.ToJsonString());
        Assert.Null(detail["config"]!["labels"]);

        var page = await GetOkAsync(fixture.Admin.Http, $"registries/{_registry.Name}/repositories/{repository}");
        Assert.Contains("config unreadable", page, StringComparison.Ordinal);
        var manifestPage = await GetOkAsync(fixture.Admin.Http, $"registries/{_registry.Name}/manifests/{Uri.EscapeDataString(digest)}?repository={Uri.EscapeDataString(repository)}");
        Assert.Contains("Unreadable:", manifestPage, StringComparison.Ordinal);
    }

    /// <summary>
    /// Distribution spec, referrers: a manifest without artifactType is listed (and filtered) with its config's media
    /// type, an image config's included.
    /// </summary>
    [Fact]
    public async Task AReferrerWithoutArtifactTypeIsFoundByItsConfigMediaType()
    {
        var name = _registry.Repo("referrers/config-type");
        var subject = await ImageContent.PushSmallImageAsync(_client, name, "subject");
        var layer = ImageContent.RandomBlob(64);
        var layerDigest = await _client.PushBlobAsync(name, layer);
        var config = ImageContent.Config(layerDigest);
        var configDigest = await _client.PushBlobAsync(name, config);
        var referrer = JsonNode.Parse(ImageContent.Manifest((configDigest, config.Length), (layerDigest, layer.Length)))!.AsObject();
        referrer["subject"] = OciImageBuilder.Descriptor(MediaTypes.OciManifest, subject.Digest, subject.Manifest.Length);
        var referrerDigest = await _client.PushManifestAsync(name, ImageContent.DigestOf(Encoding.UTF8.GetBytes(referrer.ToJsonString())),
            Encoding.UTF8.GetBytes(referrer.ToJsonString()));

        using var response = await _client.GetAsync($"v2/{name}/referrers/{subject.Digest}?artifactType={Uri.EscapeDataString(ImageConfigType)}");
        await OciAssert.StatusAsync(response, HttpStatusCode.OK);
        var index = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var descriptor = Assert.Single(index["manifests"]!.AsArray());
        Assert.Equal(referrerDigest, descriptor!["digest"]!.GetValue<string>());
        Assert.Equal(ImageConfigType, descriptor["artifactType"]!.GetValue<string>());
    }

    private static async Task<string> GetOkAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {Shorten(body)}");
        return body;
    }

    private async Task<string?> CheckAsync(Hostile hostile)
    {
        var target = hostile.Target;
        if (target.Contains("{upload}", StringComparison.Ordinal))
        {
            target = target.Replace("{upload}", new Uri(_client.Resolve(await _client.StartUploadAsync(Repo)).PathAndQuery, UriKind.Relative).ToString(), StringComparison.Ordinal);
        }

        var headers = new List<string>(hostile.Headers);
        if (!hostile.NoAuth)
        {
            headers.Add(hostile.Admin ? AdminAuth : RegistryAuth);
        }

        if (hostile.Body.Length > 0 && !headers.Exists(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase) || h.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase)))
        {
            headers.Add($"Content-Length: {hostile.Body.Length}");
        }

        RawResponse response;
        try
        {
            response = await RawHttp.SendAsync(fixture.Server.BaseUrl, hostile.Method, target, headers, hostile.Body, hostile.Delivery, Timeout);
        }
        catch (Exception ex) when (hostile.Delivery == BodyDelivery.Truncated && ex is System.Net.Sockets.SocketException or InvalidOperationException)
        {
            // A client that closed its side mid-body has gone away: the server may drop the connection without an
            // answer. What it owes is a line at Information in its log (no error, no stack trace: checked at the end).
            return await LoggedAsync(hostile, target);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException or InvalidOperationException)
        {
            return $"- {hostile.Name}: {hostile.Method} {target}: no answer ({ex.Message})";
        }

        var problems = new List<string>();
        if (response.Status != hostile.Status)
        {
            problems.Add($"status {response.Status}, expected {hostile.Status}");
        }

        if (response.Body.Contains("   at ", StringComparison.Ordinal) || response.Body.Contains("Exception", StringComparison.Ordinal))
        {
            problems.Add("the body shows exception details");
        }

        if (hostile.Code == Problem)
        {
            if (!response.Headers.TryGetValue("content-type", out var type) || !type.StartsWith("application/problem+json", StringComparison.Ordinal))
            {
                problems.Add("not an RFC 7807 problem (Content-Type " + response.Headers.GetValueOrDefault("content-type", "none") + ")");
            }
            else if (JsonNode.Parse(response.Body) is not JsonObject problem || problem["status"]?.GetValue<int>() != hostile.Status || problem["title"] is null)
            {
                problems.Add("a problem body without its status and title");
            }
        }
        else if (hostile.Code is not null && hostile.Method != "HEAD")
        {
            var code = TryReadOciCode(response.Body);
            if (code != hostile.Code)
            {
                problems.Add($"OCI code {code ?? "(none)"}, expected {hostile.Code}");
            }
        }

        return problems.Count == 0 ? null : $"- {hostile.Name}: {hostile.Method} {target}: {string.Join("; ", problems)}; body: {Shorten(response.Body)}";
    }

    /// <summary>Null when the server logged the request within a few seconds, else a failure line.</summary>
    private async Task<string?> LoggedAsync(Hostile hostile, string target)
    {
        var path = target.Split('?')[0];
        if (!path.StartsWith("/v2/", StringComparison.Ordinal))
        {
            return null;
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (fixture.Server.Output.Split('\n').Any(l => l.Contains($"{hostile.Method} {path}: the client", StringComparison.Ordinal)))
            {
                return null;
            }

            await Task.Delay(100);
        }

        return $"- {hostile.Name}: {hostile.Method} {target}: neither answered nor logged";
    }

    private static string? TryReadOciCode(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["errors"]?[0]?["code"]?.GetValue<string>();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;

    private List<Hostile> Corpus()
    {
        var repo = Repo;
        var reg = _registry.Name;
        var missing = ImageContent.DigestOf(Encoding.UTF8.GetBytes("never pushed"));
        var blob = _image.LayerDigest;
        var config = (_image.ConfigDigest, (long)_image.Config.Length);
        var layer = (_image.LayerDigest, (long)_image.Layer.Length);
        var manifest = Encoding.UTF8.GetString(_image.Manifest);
        var list = new List<Hostile>();

        void V2(string name, string method, string target, int status, string? code, byte[]? body = null, params string[] headers) =>
            list.Add(new Hostile(name, method, target, status, code, body ?? [], headers));

        void Api(string name, string method, string target, int status, byte[]? body = null, params string[] headers) =>
            list.Add(new Hostile(name, method, target, status, Problem, body ?? [], headers, Admin: true));

        void Put(string name, string json, int status = 400, string code = "MANIFEST_INVALID", string type = MediaTypes.OciManifest) =>
            V2(name, "PUT", $"/v2/{repo}/manifests/hostile", status, code, Encoding.UTF8.GetBytes(json), "Content-Type: " + type);

        void PutBytes(string name, byte[] body) => V2(name, "PUT", $"/v2/{repo}/manifests/hostile", 400, "MANIFEST_INVALID", body, ManifestType);

        // ---- /v2/ and /v2/_catalog: methods they don't serve ----
        foreach (var method in new[] { "POST", "PUT", "DELETE", "PATCH" })
        {
            V2($"base {method}", method, "/v2/", 405, "UNSUPPORTED");
            V2($"catalog {method}", method, "/v2/_catalog", 405, "UNSUPPORTED");
        }

        V2("catalog n negative", "GET", "/v2/_catalog?n=-1", 400, "PAGINATION_NUMBER_INVALID");
        V2("catalog n text", "GET", "/v2/_catalog?n=abc", 400, "PAGINATION_NUMBER_INVALID");
        V2("catalog n overflow", "GET", "/v2/_catalog?n=99999999999999999999", 400, "PAGINATION_NUMBER_INVALID");
        V2("unknown endpoint", "GET", $"/v2/{repo}/nothing/here", 404, "NAME_UNKNOWN");

        // ---- names ----
        V2("uppercase name", "GET", $"/v2/{reg}/UPPER/tags/list", 400, "NAME_INVALID");
        V2("double dot name", "GET", $"/v2/{reg}/a..b/tags/list", 400, "NAME_INVALID");
        V2("leading dash name", "GET", $"/v2/{reg}/-a/manifests/latest", 400, "NAME_INVALID");
        // Dot segments are resolved before routing: this is /tags/list, a page that does not exist, far from any file.
        V2("encoded traversal name", "GET", $"/v2/{reg}/%2e%2e/%2e%2e/tags/list", 404, null);
        V2("name of 300 characters", "GET", $"/v2/{reg}/{new string('a', 300)}/tags/list", 400, "NAME_INVALID");
        V2("name without repository", "GET", $"/v2/{reg}/tags/list", 400, "NAME_INVALID");
        V2("another registry", "GET", "/v2/no-such-registry-x/app/tags/list", 404, "NAME_UNKNOWN");

        // ---- manifest GET/HEAD: a reference that names nothing is unknown ----
        V2("GET invalid tag", "GET", $"/v2/{repo}/manifests/bad!tag", 404, "MANIFEST_UNKNOWN");
        V2("GET tag of 129 characters", "GET", $"/v2/{repo}/manifests/{new string('t', 129)}", 404, "MANIFEST_UNKNOWN");
        V2("GET tag starting with a dot", "GET", $"/v2/{repo}/manifests/.hidden", 404, "MANIFEST_UNKNOWN");
        V2("HEAD invalid tag", "HEAD", $"/v2/{repo}/manifests/bad!tag", 404, "MANIFEST_UNKNOWN");

        // ---- a digest Berth can't use: the spec's 400 for an invalid or unsupported digest ----
        V2("GET malformed digest", "GET", $"/v2/{repo}/manifests/sha256:zzz", 400, "DIGEST_INVALID");
        V2("GET short digest", "GET", $"/v2/{repo}/manifests/sha256:{new string('a', 63)}", 400, "DIGEST_INVALID");
        V2("GET uppercase digest", "GET", $"/v2/{repo}/manifests/sha256:{new string('A', 64)}", 400, "DIGEST_INVALID");
        V2("GET unknown algorithm", "GET", $"/v2/{repo}/manifests/md5:{new string('a', 32)}", 400, "DIGEST_INVALID");
        V2("HEAD malformed digest", "HEAD", $"/v2/{repo}/manifests/sha256:zzz", 400, "DIGEST_INVALID");
        V2("GET missing digest", "GET", $"/v2/{repo}/manifests/{missing}", 404, "MANIFEST_UNKNOWN");
        V2("GET missing tag", "GET", $"/v2/{repo}/manifests/no-such-tag", 404, "MANIFEST_UNKNOWN");
        V2("GET in a missing repository", "GET", $"/v2/{reg}/no/such/repo/manifests/latest", 404, "NAME_UNKNOWN");
        V2("POST manifest", "POST", $"/v2/{repo}/manifests/latest", 405, "UNSUPPORTED");
        V2("PATCH manifest", "PATCH", $"/v2/{repo}/manifests/latest", 405, "UNSUPPORTED");

        // ---- manifest PUT: the reference ----
        V2("PUT invalid tag", "PUT", $"/v2/{repo}/manifests/bad!tag", 400, "MANIFEST_INVALID", _image.Manifest, ManifestType);
        V2("PUT malformed digest", "PUT", $"/v2/{repo}/manifests/sha256:zzz", 400, "DIGEST_INVALID", _image.Manifest, ManifestType);
        V2("PUT digest of other content", "PUT", $"/v2/{repo}/manifests/{missing}", 400, "DIGEST_INVALID", _image.Manifest, ManifestType);

        // ---- manifest PUT: the body ----
        Put("empty body", "");
        Put("not JSON", "this is not json");
        Put("truncated JSON", manifest[..(manifest.Length / 2)]);
        Put("JSON array", "[]");
        Put("JSON null", "null");
        Put("JSON string", "\"manifest\"");
        Put("schemaVersion 1", manifest.Replace("\"schemaVersion\":2", "\"schemaVersion\":1", StringComparison.Ordinal));
        Put("schemaVersion as a string", manifest.Replace("\"schemaVersion\":2", "\"schemaVersion\":\"2\"", StringComparison.Ordinal));
        Put("schemaVersion huge", manifest.Replace("\"schemaVersion\":2", "\"schemaVersion\":1e400", StringComparison.Ordinal));
        Put("no schemaVersion", manifest.Replace("\"schemaVersion\":2,", "", StringComparison.Ordinal));
        Put("trailing garbage", manifest + "}");
        Put("comments", "/* c */" + manifest);
        Put("nested 200 deep", manifest.Replace("\"schemaVersion\":2", "\"x\":" + new string('[', 200) + new string(']', 200) + ",\"schemaVersion\":2", StringComparison.Ordinal));
        PutBytes("UTF-8 byte order mark", [0xEF, 0xBB, 0xBF, .. _image.Manifest]);
        PutBytes("invalid UTF-8 outside strings", [.. _image.Manifest[..1], 0xFF, .. _image.Manifest[1..]]);
        PutBytes("invalid UTF-8 in the media type", WithInvalidUtf8After(_image.Manifest, "application/vnd.oci.image.manifest"));
        PutBytes("invalid UTF-8 in a layer media type", WithInvalidUtf8After(_image.Manifest, "application/vnd.oci.image.layer"));
        PutBytes("invalid UTF-8 in an annotation", WithInvalidUtf8After(Encoding.UTF8.GetBytes(WithField(manifest, "\"annotations\":{\"note\":\"hello\"}")), "hello"));
        PutBytes("invalid UTF-8 in an unknown field", WithInvalidUtf8After(Encoding.UTF8.GetBytes(WithField(manifest, "\"org.example\":\"hello\"")), "hello"));
        PutBytes("overlong UTF-8 encoding", WithBytesAfter(Encoding.UTF8.GetBytes(WithField(manifest, "\"org.example\":\"hello\"")), "hello", [0xC0, 0xAF]));
        PutBytes("UTF-8 encoded surrogate", WithBytesAfter(Encoding.UTF8.GetBytes(WithField(manifest, "\"org.example\":\"hello\"")), "hello", [0xED, 0xA0, 0x80]));
        Put("lone surrogate escape in an annotation", WithField(manifest, "\"annotations\":{\"note\":\"\\ud800\"}"));
        Put("duplicate schemaVersion", WithField(manifest, "\"schemaVersion\":2"));
        Put("duplicate mediaType", WithField(manifest, $"\"mediaType\":\"{MediaTypes.OciManifest}\""));
        Put("duplicate config", WithField(manifest, $"\"config\":{Descriptor(ImageConfigType, missing, 1)}"));
        Put("duplicate config, escaped name", WithField(manifest, $"\"\\u0063onfig\":{Descriptor(ImageConfigType, missing, 1)}"));
        Put("duplicate layers", WithField(manifest, "\"layers\":[]"));
        Put("duplicate subject", WithField(manifest, $"\"subject\":{Descriptor(MediaTypes.OciManifest, missing, 1)},\"subject\":{Descriptor(MediaTypes.OciManifest, _image.Digest, _image.Manifest.Length)}"));
        Put("duplicate annotation key", WithField(manifest, "\"annotations\":{\"a\":\"1\",\"a\":\"2\"}"));
        Put("duplicate digest in a descriptor", manifest.Replace($"\"digest\":\"{blob}\"", $"\"digest\":\"{blob}\",\"digest\":\"{missing}\"", StringComparison.Ordinal));
        Put("duplicate size in a descriptor", manifest.Replace($"\"size\":{_image.Layer.Length}", $"\"size\":{_image.Layer.Length},\"size\":1", StringComparison.Ordinal));
        Put("no config", Json(new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = MediaTypes.OciManifest, ["layers"] = new JsonArray() }));
        Put("config not an object", Json(new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = MediaTypes.OciManifest, ["config"] = "x", ["layers"] = new JsonArray() }));
        Put("layers not an array", Json(new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = MediaTypes.OciManifest, ["config"] = JsonNode.Parse(Descriptor(ImageConfigType, config.Item1, config.Item2)), ["layers"] = "x" }));
        Put("layer digest malformed", ManifestWith(config, ("sha256:nothex", 1)));
        Put("layer digest uppercase", ManifestWith(config, (blob.ToUpperInvariant().Replace("SHA256", "sha256", StringComparison.Ordinal), layer.Item2)));
        Put("layer digest unknown algorithm", ManifestWith(config, ("sha1:" + new string('a', 40), 1)));
        Put("layer size negative", ManifestWith(config, (blob, -1)));
        Put("layer size fractional", manifest.Replace($"\"size\":{_image.Layer.Length}", $"\"size\":{_image.Layer.Length}.5", StringComparison.Ordinal));
        Put("layer size as a string", manifest.Replace($"\"size\":{_image.Layer.Length}", $"\"size\":\"{_image.Layer.Length}\"", StringComparison.Ordinal));
        Put("layer size overflow", manifest.Replace($"\"size\":{_image.Layer.Length}", "\"size\":99999999999999999999999", StringComparison.Ordinal));
        Put("layer size wrong", ManifestWith(config, (blob, layer.Item2 + 1)));
        Put("layer without media type", manifest.Replace("\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",", "", StringComparison.Ordinal));
        Put("layer unknown", ManifestWith(config, (missing, 10)), 400, "MANIFEST_BLOB_UNKNOWN");
        Put("config unknown", ManifestWith((missing, 10), layer), 400, "MANIFEST_BLOB_UNKNOWN");
        Put("annotations not an object", WithField(manifest, "\"annotations\":[\"a\"]"));
        Put("annotation value a number", WithField(manifest, "\"annotations\":{\"a\":1}"));
        Put("artifactType a number", WithField(manifest, "\"artifactType\":1"));
        Put("subject not a descriptor", WithField(manifest, "\"subject\":\"sha256:x\""));
        Put("subject with a bad digest", WithField(manifest, $"\"subject\":{Descriptor(MediaTypes.OciManifest, "sha256:bad", 1)}"));
        Put("media type unsupported", Json(new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = "application/x-evil", ["config"] = JsonNode.Parse(Descriptor(ImageConfigType, config.Item1, config.Item2)), ["layers"] = new JsonArray() }),
            type: "application/x-evil");
        V2("media type differs from Content-Type", "PUT", $"/v2/{repo}/manifests/hostile", 400, "MANIFEST_INVALID", _image.Manifest, "Content-Type: " + MediaTypes.OciIndex);
        Put("index entry unknown", Encoding.UTF8.GetString(ImageContent.Index((missing, 10))), 400, "MANIFEST_BLOB_UNKNOWN", MediaTypes.OciIndex);
        Put("index entry not a descriptor", Json(new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = MediaTypes.OciIndex, ["manifests"] = new JsonArray("x") }), type: MediaTypes.OciIndex);
        Put("index without manifests", Json(new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = MediaTypes.OciIndex }), type: MediaTypes.OciIndex);
        V2("manifest over 4 MiB announced", "PUT", $"/v2/{repo}/manifests/hostile", 413, "SIZE_INVALID", [], ManifestType, "Content-Length: 4194305");
        V2("manifest over 4 MiB streamed", "PUT", $"/v2/{repo}/manifests/hostile", 413, "SIZE_INVALID", Chunked(new byte[4 * 1024 * 1024 + 1]), ManifestType, "Transfer-Encoding: chunked");

        // ---- manifest DELETE ----
        V2("DELETE invalid tag", "DELETE", $"/v2/{repo}/manifests/bad!tag", 400, "MANIFEST_INVALID");
        V2("DELETE malformed digest", "DELETE", $"/v2/{repo}/manifests/sha256:zzz", 400, "DIGEST_INVALID");
        V2("DELETE missing digest", "DELETE", $"/v2/{repo}/manifests/{missing}", 404, "MANIFEST_UNKNOWN");
        V2("DELETE missing tag", "DELETE", $"/v2/{repo}/manifests/no-such-tag", 404, "MANIFEST_UNKNOWN");

        // ---- blobs ----
        V2("blob malformed digest", "GET", $"/v2/{repo}/blobs/sha256:zzz", 400, "DIGEST_INVALID");
        V2("blob unknown algorithm", "GET", $"/v2/{repo}/blobs/md5:{new string('a', 32)}", 400, "DIGEST_INVALID");
        V2("blob missing", "GET", $"/v2/{repo}/blobs/{missing}", 404, "BLOB_UNKNOWN");
        V2("blob HEAD missing", "HEAD", $"/v2/{repo}/blobs/{missing}", 404, "BLOB_UNKNOWN");
        V2("blob range past the end", "GET", $"/v2/{repo}/blobs/{blob}", 416, null, null, "Range: bytes=999999-");
        V2("blob range suffix of zero", "GET", $"/v2/{repo}/blobs/{blob}", 416, null, null, "Range: bytes=-0");
        V2("blob range malformed (ignored)", "GET", $"/v2/{repo}/blobs/{blob}", 200, null, null, "Range: bytes=abc");
        V2("blob range reversed (ignored)", "GET", $"/v2/{repo}/blobs/{blob}", 200, null, null, "Range: bytes=5-2");
        V2("blob range of another unit (ignored)", "GET", $"/v2/{repo}/blobs/{blob}", 200, null, null, "Range: items=0-1");
        V2("blob range overflow (ignored)", "GET", $"/v2/{repo}/blobs/{blob}", 200, null, null, "Range: bytes=0-99999999999999999999999");
        V2("blob POST", "POST", $"/v2/{repo}/blobs/{blob}", 405, "UNSUPPORTED");
        V2("blob PUT", "PUT", $"/v2/{repo}/blobs/{blob}", 405, "UNSUPPORTED");

        // ---- uploads ----
        V2("monolithic malformed digest", "POST", $"/v2/{repo}/blobs/uploads/?digest=sha256:zzz", 400, "DIGEST_INVALID", [1, 2, 3], "Content-Type: application/octet-stream");
        V2("monolithic digest mismatch", "POST", $"/v2/{repo}/blobs/uploads/?digest={missing}", 400, "DIGEST_INVALID", [1, 2, 3], "Content-Type: application/octet-stream");
        V2("mount malformed digest", "POST", $"/v2/{repo}/blobs/uploads/?mount=sha256:zzz&from={repo}", 400, "DIGEST_INVALID");
        V2("uploads GET", "GET", $"/v2/{repo}/blobs/uploads/", 405, "UNSUPPORTED");
        V2("uploads PUT", "PUT", $"/v2/{repo}/blobs/uploads/", 405, "UNSUPPORTED");
        V2("upload unknown id", "PATCH", $"/v2/{repo}/blobs/uploads/{new string('a', 32)}", 404, "BLOB_UPLOAD_UNKNOWN", [1, 2, 3]);
        V2("upload uppercase id", "PATCH", $"/v2/{repo}/blobs/uploads/ABCDEF", 404, "BLOB_UPLOAD_UNKNOWN", [1, 2, 3]);
        V2("upload id too long", "GET", $"/v2/{repo}/blobs/uploads/{new string('a', 65)}", 404, "BLOB_UPLOAD_UNKNOWN");
        V2("upload id traversal", "GET", $"/v2/{repo}/blobs/uploads/..%2f..%2fetc", 404, "BLOB_UPLOAD_UNKNOWN");
        V2("upload POST", "POST", "{upload}", 405, "UNSUPPORTED");
        V2("chunk range malformed", "PATCH", "{upload}", 400, "BLOB_UPLOAD_INVALID", new byte[10], "Content-Range: abc");
        V2("chunk range reversed", "PATCH", "{upload}", 400, "BLOB_UPLOAD_INVALID", new byte[10], "Content-Range: 9-0");
        V2("chunk out of order", "PATCH", "{upload}", 416, "BLOB_UPLOAD_INVALID", new byte[10], "Content-Range: 100-109");
        V2("chunk length disagrees with its range", "PATCH", "{upload}", 400, "SIZE_INVALID", new byte[10], "Content-Range: 0-19");
        V2("close without digest", "PUT", "{upload}", 400, "DIGEST_INVALID");
        V2("close with malformed digest", "PUT", "{upload}?digest=sha256:zzz", 400, "DIGEST_INVALID");
        V2("close with wrong digest", "PUT", "{upload}?digest=" + missing, 400, "DIGEST_INVALID", [1, 2, 3]);
        V2("close with wrong sha512 digest", "PUT", "{upload}?digest=sha512:" + new string('a', 128), 400, "DIGEST_INVALID", [1, 2, 3]);

        // ---- framing the server itself refuses (no OCI body: the request never reaches /v2) ----
        V2("Content-Length negative", "PATCH", "{upload}", 400, null, [1], "Content-Length: -1");
        V2("Content-Length not a number", "PATCH", "{upload}", 400, null, [1], "Content-Length: abc");
        V2("Content-Length overflow", "PATCH", "{upload}", 400, null, [1], "Content-Length: 99999999999999999999");
        V2("Content-Length twice, differing", "PATCH", "{upload}", 400, null, [1], "Content-Length: 1", "Content-Length: 2");
        // RFC 9112 §6.3: with both, chunked framing wins (and the connection is closed after): the chunk is taken.
        V2("Content-Length with chunked", "PATCH", "{upload}", 202, null, Chunked([1, 2, 3]), "Content-Length: 3", "Transfer-Encoding: chunked");
        V2("Transfer-Encoding not chunked", "PATCH", "{upload}", 400, null, [1, 2, 3], "Transfer-Encoding: gzip");
        V2("request target with a space", "GET", $"/v2/{repo}/tags/list%20x y", 400, null);
        V2("header without a colon", "GET", "/v2/", 400, null, null, "NoColonHere");
        V2("header too large", "GET", "/v2/", 431, null, null, "X-Big: " + new string('x', 40 * 1024));
        V2("request target too long", "GET", "/v2/" + new string('a', 20 * 1024), 414, null);

        // ---- bodies that stall or stop short (Kestrel's verdict: 408 too slow, 400 ended early) ----
        list.Add(new Hostile("chunk stalled", "PATCH", "{upload}", 408, "BLOB_UPLOAD_INVALID", new byte[64 * 1024], [], BodyDelivery.Stalled));
        list.Add(new Hostile("manifest stalled", "PUT", $"/v2/{repo}/manifests/hostile", 408, "MANIFEST_INVALID", _image.Manifest, [ManifestType], BodyDelivery.Stalled));
        list.Add(new Hostile("monolithic blob stalled", "POST", $"/v2/{repo}/blobs/uploads/?digest={missing}", 408, "BLOB_UPLOAD_INVALID", new byte[64 * 1024], [], BodyDelivery.Stalled));
        list.Add(new Hostile("chunk truncated", "PATCH", "{upload}", 400, "BLOB_UPLOAD_INVALID", new byte[64 * 1024], [], BodyDelivery.Truncated));
        list.Add(new Hostile("chunked chunk truncated", "PATCH", "{upload}", 400, "BLOB_UPLOAD_INVALID", Chunked(new byte[64 * 1024]), ["Transfer-Encoding: chunked"], BodyDelivery.Truncated));
        list.Add(new Hostile("manifest truncated", "PUT", $"/v2/{repo}/manifests/truncated", 400, "MANIFEST_INVALID", _image.Manifest, [ManifestType], BodyDelivery.Truncated));
        list.Add(new Hostile("closing chunk truncated", "PUT", "{upload}?digest=" + missing, 400, "BLOB_UPLOAD_INVALID", new byte[64 * 1024], [], BodyDelivery.Truncated));
        list.Add(new Hostile("monolithic blob truncated", "POST", $"/v2/{_registry.Repo("truncated")}/blobs/uploads/?digest={missing}", 400, "BLOB_UPLOAD_INVALID", new byte[64 * 1024], [], BodyDelivery.Truncated));
        V2("malformed chunk size", "PATCH", "{upload}", 400, "BLOB_UPLOAD_INVALID", Encoding.ASCII.GetBytes("zz\r\nhello\r\n0\r\n\r\n"), "Transfer-Encoding: chunked");
        V2("chunk without its CRLF", "PATCH", "{upload}", 400, "BLOB_UPLOAD_INVALID", Encoding.ASCII.GetBytes("5\r\nhelloXX0\r\n\r\n"), "Transfer-Encoding: chunked");
        V2("manifest with malformed chunk size", "PUT", $"/v2/{repo}/manifests/hostile", 400, "MANIFEST_INVALID", Encoding.ASCII.GetBytes("zz\r\n{}\r\n0\r\n\r\n"), ManifestType, "Transfer-Encoding: chunked");

        // ---- tags and referrers ----
        V2("tags n negative", "GET", $"/v2/{repo}/tags/list?n=-5", 400, "PAGINATION_NUMBER_INVALID");
        V2("tags n text", "GET", $"/v2/{repo}/tags/list?n=ten", 400, "PAGINATION_NUMBER_INVALID");
        V2("tags POST", "POST", $"/v2/{repo}/tags/list", 405, "UNSUPPORTED");
        V2("tags DELETE", "DELETE", $"/v2/{repo}/tags/list", 405, "UNSUPPORTED");
        V2("referrers malformed digest", "GET", $"/v2/{repo}/referrers/sha256:zzz", 400, "DIGEST_INVALID");
        V2("referrers of a tag", "GET", $"/v2/{repo}/referrers/latest", 400, "DIGEST_INVALID");
        V2("referrers DELETE", "DELETE", $"/v2/{repo}/referrers/{_image.Digest}", 405, "UNSUPPORTED");

        // ---- credentials on /v2 ----
        list.Add(new Hostile("Basic not base64", "GET", $"/v2/{repo}/tags/list", 401, "UNAUTHORIZED", [], ["Authorization: Basic !!!"], NoAuth: true));
        list.Add(new Hostile("Basic without a colon", "GET", $"/v2/{repo}/tags/list", 401, "UNAUTHORIZED", [], ["Authorization: Basic " + Convert.ToBase64String("nocolon"u8.ToArray())], NoAuth: true));
        list.Add(new Hostile("Basic wrong password", "GET", $"/v2/{repo}/tags/list", 401, "UNAUTHORIZED", [], ["Authorization: " + ManagementClient.BasicAuth(_registry.Username, "wrong")], NoAuth: true));
        list.Add(new Hostile("Bearer garbage", "GET", $"/v2/{repo}/tags/list", 401, "UNAUTHORIZED", [], ["Authorization: Bearer garbage"], NoAuth: true));
        list.Add(new Hostile("Bearer alg none", "GET", $"/v2/{repo}/tags/list", 401, "UNAUTHORIZED", [],
            ["Authorization: Bearer " + B64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + B64($"{{\"sub\":\"{_registry.Username}\",\"access\":[{{\"type\":\"repository\",\"name\":\"{repo}\",\"actions\":[\"pull\"]}}]}}") + "."], NoAuth: true));
        list.Add(new Hostile("unknown scheme", "GET", $"/v2/{repo}/tags/list", 401, "UNAUTHORIZED", [], ["Authorization: Digest x"], NoAuth: true));

        // ---- management API: every 400 is an RFC 7807 problem ----
        var json = "Content-Type: application/json";
        Api("storage limit as a string", "PATCH", $"/api/v1/registries/{reg}", 400, Encoding.UTF8.GetBytes("{\"storageLimitGiB\":\"5\"}"), json);
        Api("storage limit fractional", "PATCH", $"/api/v1/registries/{reg}", 400, Encoding.UTF8.GetBytes("{\"storageLimitGiB\":5.5}"), json);
        Api("storage limit overflow", "PATCH", $"/api/v1/registries/{reg}", 400, Encoding.UTF8.GetBytes("{\"storageLimitGiB\":99999999999999999999}"), json);
        Api("storage limit negative", "PATCH", $"/api/v1/registries/{reg}", 400, Encoding.UTF8.GetBytes("{\"storageLimitGiB\":-1}"), json);
        Api("storage limit zero", "PATCH", $"/api/v1/registries/{reg}", 400, Encoding.UTF8.GetBytes("{\"storageLimitGiB\":0}"), json);
        Api("storage limit given twice", "PATCH", $"/api/v1/registries/{reg}", 400, Encoding.UTF8.GetBytes("{\"storageLimitGiB\":5,\"storageLimitGiB\":6}"), json);
        Api("resize body not JSON", "PATCH", $"/api/v1/registries/{reg}", 400, Encoding.UTF8.GetBytes("five gigabytes"), json);
        Api("resize body truncated JSON", "PATCH", $"/api/v1/registries/{reg}", 400, Encoding.UTF8.GetBytes("{\"storageLimitGiB\":5"), json);
        Api("resize body null", "PATCH", $"/api/v1/registries/{reg}", 400, Encoding.UTF8.GetBytes("null"), json);
        Api("resize body an array", "PATCH", $"/api/v1/registries/{reg}", 400, Encoding.UTF8.GetBytes("[5]"), json);
        Api("resize body as text/plain", "PATCH", $"/api/v1/registries/{reg}", 400, Encoding.UTF8.GetBytes("{\"storageLimitGiB\":5}"), "Content-Type: text/plain");
        Api("project name a number", "POST", "/api/v1/projects", 400, Encoding.UTF8.GetBytes("{\"name\":123}"), json);
        Api("project name empty", "POST", "/api/v1/projects", 400, Encoding.UTF8.GetBytes("{\"name\":\"\"}"), json);
        Api("project name invalid", "POST", "/api/v1/projects", 400, Encoding.UTF8.GetBytes("{\"name\":\"../etc\"}"), json);
        Api("project name of 500 characters", "POST", "/api/v1/projects", 400, Encoding.UTF8.GetBytes($"{{\"name\":\"{new string('p', 500)}\"}}"), json);
        Api("project body invalid UTF-8", "POST", "/api/v1/projects", 400, [.. "{\"name\":\"a"u8.ToArray(), 0xFF, .. "\"}"u8.ToArray()], json);
        Api("project body lone surrogate", "POST", "/api/v1/projects", 400, Encoding.UTF8.GetBytes("{\"name\":\"\\ud800\"}"), json);
        Api("registry name invalid", "POST", $"/api/v1/projects/{_registry.Project}/registries", 400, Encoding.UTF8.GetBytes("{\"name\":\"UPPER CASE\"}"), json);
        Api("audit limit not a number", "GET", $"/api/v1/registries/{reg}/audit?limit=abc", 400);
        Api("delete confirmation not JSON", "DELETE", $"/api/v1/registries/{reg}", 400, Encoding.UTF8.GetBytes("yes please"), json);
        Api("kubernetes secret body not JSON", "POST", $"/api/v1/registries/{reg}/kubernetes-secret", 400, Encoding.UTF8.GetBytes("{"), json);
        list.Add(new Hostile("API body stalled", "POST", "/api/v1/projects", 408, Problem, Encoding.UTF8.GetBytes("{\"name\":\"stalled-project-name\"}" + new string(' ', 4096)), [json], BodyDelivery.Stalled, Admin: true));
        list.Add(new Hostile("API body truncated", "POST", "/api/v1/projects", 400, Problem, Encoding.UTF8.GetBytes("{\"name\":\"truncated-project-name\"}" + new string(' ', 4096)), [json], BodyDelivery.Truncated, Admin: true));
        return list;
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Json(JsonObject node) => node.ToJsonString();

    private static string Descriptor(string mediaType, string digest, long size) => OciImageBuilder.Descriptor(mediaType, digest, size).ToJsonString();

    private static string ManifestWith((string Digest, long Size) config, (string Digest, long Size) layer) =>
        Json(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciManifest,
            ["config"] = OciImageBuilder.Descriptor(ImageConfigType, config.Digest, config.Size),
            ["layers"] = new JsonArray(OciImageBuilder.Descriptor("application/vnd.oci.image.layer.v1.tar", layer.Digest, layer.Size)),
        });

    /// <summary>The manifest with one more member, placed first (so a duplicate comes before the original).</summary>
    private static string WithField(string manifest, string member) => "{" + member + "," + manifest[1..];

    private static byte[] WithInvalidUtf8After(byte[] content, string marker) => WithBytesAfter(content, marker, [0xC3, 0x28]);

    private static byte[] WithBytesAfter(byte[] content, string marker, byte[] inserted)
    {
        var at = content.AsSpan().IndexOf(Encoding.UTF8.GetBytes(marker));
        Assert.True(at >= 0, $"'{marker}' is not in the content");
        var end = at + Encoding.UTF8.GetByteCount(marker);
        return [.. content[..end], .. inserted, .. content[end..]];
    }

    private static byte[] Chunked(byte[] content) =>
        [.. Encoding.ASCII.GetBytes(content.Length.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + "\r\n"), .. content, .. "\r\n0\r\n\r\n"u8.ToArray()];
}

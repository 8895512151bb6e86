using System.Net;
using System.Text.Json;

namespace Berth.Registry.Tests.Infrastructure;

/// <summary>Assertions on /v2 responses, with the response body in every failure message.</summary>
public static class OciAssert
{
    public static async Task StatusAsync(HttpResponseMessage response, HttpStatusCode expected, string? context = null)
    {
        if (response.StatusCode != expected)
        {
            Assert.Fail($"{Describe(response)}: expected {(int)expected} {expected}, got {(int)response.StatusCode} "
                + $"{response.StatusCode}. {context}\nbody: {await BodyAsync(response)}");
        }
    }

    /// <summary>Status and <c>errors[0].code</c>; also that the body is a well-formed OCI error without a stack trace.</summary>
    public static async Task<OciError> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code, string? context = null)
    {
        await StatusAsync(response, status, context);
        var error = await RegistryClient.ReadErrorAsync(response);
        Assert.True(error is not null, $"{Describe(response)}: body is not an OCI error: {await BodyAsync(response)}");
        Assert.True(error!.Code == code, $"{Describe(response)}: expected error code {code}, got {error.Code}. body: {error.Body}");
        WellFormedError(error.Body);
        return error;
    }

    /// <summary>The body is <c>{"errors":[{"code","message",…}]}</c> and leaks no exception details.</summary>
    public static void WellFormedError(string body)
    {
        using var document = JsonDocument.Parse(body);
        var errors = document.RootElement.GetProperty("errors");
        Assert.Equal(JsonValueKind.Array, errors.ValueKind);
        Assert.NotEqual(0, errors.GetArrayLength());
        foreach (var error in errors.EnumerateArray())
        {
            Assert.Equal(JsonValueKind.String, error.GetProperty("code").ValueKind);
            Assert.Equal(JsonValueKind.String, error.GetProperty("message").ValueKind);
        }

        NoStackTrace(body);
    }

    public static void NoStackTrace(string body)
    {
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.DoesNotContain(".cs:line", body, StringComparison.Ordinal);
    }

    /// <summary>
    /// The request was refused for lack of authorization, with exactly the OCI error <paramref name="code"/>:
    /// <c>UNAUTHORIZED</c> is 401 with a Bearer challenge (the client may authenticate and retry), <c>DENIED</c> is 403
    /// (valid credentials that may not do this). A HEAD response has no body, so only its status is checked there.
    /// </summary>
    public static async Task RefusedAsync(HttpResponseMessage response, string code, string? context = null)
    {
        var status = code switch
        {
            "UNAUTHORIZED" => HttpStatusCode.Unauthorized,
            "DENIED" => HttpStatusCode.Forbidden,
            _ => throw new ArgumentException($"{code} is not a refusal code", nameof(code)),
        };
        await StatusAsync(response, status, context);
        if (status == HttpStatusCode.Unauthorized)
        {
            Assert.StartsWith("Bearer ", Header(response, "WWW-Authenticate"), StringComparison.Ordinal);
        }

        if (response.RequestMessage?.Method == HttpMethod.Head)
        {
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
            return;
        }

        await ErrorAsync(response, status, code, context);
    }

    public static string Header(HttpResponseMessage response, string name)
    {
        var value = RegistryClient.Header(response, name);
        Assert.True(value is not null, $"{Describe(response)}: no {name} header");
        return value!;
    }

    public static string Describe(HttpResponseMessage response) =>
        $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}";

    private static async Task<string> BodyAsync(HttpResponseMessage response)
    {
        try
        {
            var body = await response.Content.ReadAsStringAsync();
            return body.Length > 2000 ? body[..2000] + "…" : body;
        }
        catch (ObjectDisposedException)
        {
            return "(disposed)";
        }
    }
}

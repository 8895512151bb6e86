using Berth.Registry.Auth;

namespace Berth.Registry.Tests.Auth;

/// <summary>Docker token scopes (<c>type:name:actions</c>) as the token endpoint receives them.</summary>
public sealed class ScopeTests
{
    [Fact]
    public void ARepositoryScopeWithSeveralActions()
    {
        var scope = Scope.Parse("repository:shop/team/api:pull,push,delete");
        Assert.NotNull(scope);
        Assert.Equal("repository", scope.Type);
        Assert.Equal("shop/team/api", scope.Name);
        Assert.Equal(["pull", "push", "delete"], scope.Actions);
    }

    [Fact]
    public void TheCatalogScope()
    {
        var scope = Scope.Parse("registry:catalog:*");
        Assert.NotNull(scope);
        Assert.Equal("registry", scope.Type);
        Assert.Equal("catalog", scope.Name);
        Assert.Equal(["*"], scope.Actions);
        Assert.Equal(RepositoryActions.All, Scope.ParseActions(scope.Actions));
    }

    [Fact]
    public void ANameWithAPortKeepsItsColon()
    {
        var scope = Scope.Parse("repository:localhost:5000/shop/api:pull");
        Assert.NotNull(scope);
        Assert.Equal("repository", scope.Type);
        Assert.Equal("localhost:5000/shop/api", scope.Name);
        Assert.Equal(["pull"], scope.Actions);
    }

    [Fact]
    public void EmptyAndPaddedActionsAreDropped()
    {
        var scope = Scope.Parse("repository:shop/api:pull,, push ,");
        Assert.NotNull(scope);
        Assert.Equal(["pull", "push"], scope.Actions);

        var none = Scope.Parse("repository:shop/api:");
        Assert.NotNull(none);
        Assert.Equal("shop/api", none.Name);
        Assert.Empty(none.Actions);
    }

    [Theory]
    [InlineData("")]
    [InlineData("repository")]
    [InlineData("repository:shop/api")]
    [InlineData(":shop/api:pull")]
    [InlineData("repository::pull")]
    [InlineData("::")]
    [InlineData(":")]
    public void MalformedScopesAreRejected(string text)
    {
        Assert.Null(Scope.Parse(text));
    }

    [Fact]
    public void MultipleScopesInRepeatedAndSpaceSeparatedParameters()
    {
        var scopes = Scope.ParseAll(
        [
            "repository:shop/api:pull registry:catalog:*",
            null,
            "",
            "malformed  repository:shop/team/web:push,pull",
        ]);

        Assert.Equal(["repository|shop/api|pull", "registry|catalog|*", "repository|shop/team/web|push,pull"],
            scopes.Select(s => $"{s.Type}|{s.Name}|{string.Join(',', s.Actions)}"));
    }

    [Fact]
    public void NoScopes()
    {
        Assert.Empty(Scope.ParseAll([]));
        Assert.Empty(Scope.ParseAll([null, "  ", "bad"]));
    }

    [Theory]
    [InlineData(new[] { "pull" }, RepositoryActions.Pull)]
    [InlineData(new[] { "pull", "push" }, RepositoryActions.Pull | RepositoryActions.Push)]
    [InlineData(new[] { "delete", "pull" }, RepositoryActions.Pull | RepositoryActions.Delete)]
    [InlineData(new[] { "*" }, RepositoryActions.All)]
    [InlineData(new[] { "pull", "*" }, RepositoryActions.All)]
    [InlineData(new[] { "PULL", "write", "" }, RepositoryActions.None)]
    [InlineData(new string[0], RepositoryActions.None)]
    public void ActionsAreParsedExactly(string[] actions, RepositoryActions expected)
    {
        Assert.Equal(expected, Scope.ParseActions(actions));
    }

    [Theory]
    [InlineData(RepositoryActions.None, "")]
    [InlineData(RepositoryActions.Pull, "pull")]
    [InlineData(RepositoryActions.Push | RepositoryActions.Delete, "push,delete")]
    [InlineData(RepositoryActions.All, "pull,push,delete")]
    public void ActionsAreFormattedInAFixedOrder(RepositoryActions actions, string expected)
    {
        Assert.Equal(expected, Scope.FormatActions(actions));
        Assert.Equal(actions, Scope.ParseActions(expected.Split(',')));
    }
}

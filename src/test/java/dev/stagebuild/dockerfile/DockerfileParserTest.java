package dev.stagebuild.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.Texts;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class DockerfileParserTest {

  private static List<Instruction> parse(String text) {
    return DockerfileParser.parse(text).instructions();
  }

  private static Instruction only(String text) {
    List<Instruction> all = parse(text);
    assertThat(all).hasSize(1);
    return all.get(0);
  }

  private static DockerfileException error(String text) {
    try {
      DockerfileParser.parse(text);
    } catch (DockerfileException e) {
      return e;
    }
    throw new AssertionError("expected a DockerfileException for:\n" + text);
  }

  @Nested
  class Directives {
    @Test
    void readsSyntaxEscapeAndCheckAtTheTop() {
      Dockerfile d = DockerfileParser.parse("# syntax=docker/dockerfile:1\n#ESCAPE = `\n# check=skip=all\nFROM a\n");
      assertThat(d.directives()).extracting(Directive::name).containsExactly("syntax", "escape", "check");
      assertThat(d.directives().get(0).value()).isEqualTo("docker/dockerfile:1");
      assertThat(d.directives().get(1).line()).isEqualTo(2);
      assertThat(d.escape()).isEqualTo('`');
    }

    @Test
    void directiveAfterACommentOrBlankLineOrInstructionIsAComment() {
      assertThat(DockerfileParser.parse("# hello\n# escape=`\nFROM a\n").escape()).isEqualTo('\\');
      assertThat(DockerfileParser.parse("\n# escape=`\nFROM a\n").escape()).isEqualTo('\\');
      assertThat(DockerfileParser.parse("FROM a\n# escape=`\n").directives()).isEmpty();
    }

    @Test
    void unknownDirectiveEndsTheDirectives() {
      Dockerfile d = DockerfileParser.parse("# foo=bar\n# escape=`\nFROM a\n");
      assertThat(d.directives()).isEmpty();
      assertThat(d.escape()).isEqualTo('\\');
    }

    @Test
    void checkOptionsAreReadAsBuildKitReadsThemBeforeKanikoBuilds() {
      assertThat(DockerfileParser.parse("# check=skip=JSONArgsRecommended,StageNameCasing; error=true\nFROM a\n")
          .directives()).hasSize(1);
      assertThat(DockerfileParser.parse("# check=experimental=all;error=F\nFROM a\n").directives()).hasSize(1);
      assertThat(error("# check=bogus\nFROM a").getMessage()).startsWith("line 1: invalid check option \"bogus\"");
      assertThat(error("# check=skip=all;warn=yes\nFROM a").getMessage()).contains("invalid check option \"warn\"");
      assertThat(error("# check=error=yes\nFROM a").getMessage()).contains("error= takes true or false");
    }

    @Test
    void duplicateAndInvalidDirectivesAreErrors() {
      assertThat(error("# escape=`\n# escape=\\\nFROM a").getMessage())
          .isEqualTo("line 2: only one escape parser directive can be used");
      assertThat(error("# escape=x\nFROM a").getMessage()).contains("line 1: invalid escape token 'x'");
    }

    @Test
    void backtickEscapeContinuesLinesAndBackslashIsPlain() {
      Dockerfile d = DockerfileParser.parse("# escape=`\nFROM windows\nRUN dir c:\\ `\n  && echo hi\nCOPY a\\b c:\\d\\\n");
      List<Instruction> is = d.instructions();
      assertThat(is).hasSize(3);
      assertThat(is.get(1).argText()).isEqualTo("dir c:\\   && echo hi");
      assertThat(is.get(2).args()).containsExactly("a\\b", "c:\\d\\");
    }

    @Test
    void byteOrderMarkIsIgnored() {
      Dockerfile d = DockerfileParser.parse("\uFEFF# escape=`\nFROM a");
      assertThat(d.escape()).isEqualTo('`');
    }
  }

  @Nested
  class LinesAndComments {
    @Test
    void commentOnlyAtLineStart() {
      List<Instruction> is = parse("# c\n   # indented comment\nFROM a\nRUN echo # not a comment\n");
      assertThat(is).hasSize(2);
      assertThat(is.get(1).argText()).isEqualTo("echo # not a comment");
      // Docker reads the # as an argument: FROM with five words is an error there too
      assertThat(error("FROM a # comment\n").line()).isEqualTo(1);
    }

    @Test
    void commentsAndEmptyLinesInsideContinuationsAreSkipped() {
      Instruction run = parse("FROM a\nRUN apt-get install \\\n    # a comment\n\n   \n    vim\n").get(1);
      assertThat(run.argText()).isEqualTo("apt-get install     vim");
      assertThat(run.line()).isEqualTo(2);
      assertThat(run.endLine()).isEqualTo(6);
      assertThat(run.source()).isEqualTo("RUN apt-get install \\\n    # a comment\n\n   \n    vim");
    }

    @Test
    void whitespaceAfterTheContinuationCharacterIsAllowed() {
      Instruction run = parse("FROM a\nRUN a \\  \t\n  b\n").get(1);
      assertThat(run.argText()).isEqualTo("a   b");
    }

    @Test
    void escapedEscapeAtLineEndDoesNotContinue() {
      List<Instruction> is = parse("FROM a\nRUN echo a\\\\\nRUN echo b\n");
      assertThat(is).hasSize(3);
    }

    @Test
    void continuationAtEndOfFileEndsTheInstruction() {
      Instruction run = parse("FROM a\nRUN echo \\").get(1);
      assertThat(run.argText()).isEqualTo("echo");
      assertThat(run.endsInContinuation()).isTrue();
    }

    @Test
    void windowsLineEndings() {
      List<Instruction> is = parse("FROM a\r\nRUN x \\\r\n  y\r\n");
      assertThat(is.get(1).argText()).isEqualTo("x   y");
      assertThat(is.get(1).source()).isEqualTo("RUN x \\\r\n  y\r");
    }

    @Test
    void keywordsAreCaseInsensitiveAndKeepTheirSpelling() {
      Instruction i = parse("from a\ncopy x y\n").get(1);
      assertThat(i.keyword()).isEqualTo("COPY");
      assertThat(i.keywordAsWritten()).isEqualTo("copy");
    }

    @Test
    void keywordsFoldCaseAsBuildKitDoesCodePointByCodePoint() {
      // Go's strings.ToLower maps the Kelvin sign to k and the dotted capital I to i: kaniko runs these
      Instruction workdir = parse("FROM a\nWOR\u212ADIR /src\nENTRYPO\u0130NT [\"x\"]\n").get(1);
      assertThat(workdir.keyword()).isEqualTo("WORKDIR");
      assertThat(workdir.keywordAsWritten()).isEqualTo("WOR\u212ADIR");
      assertThat(parse("FROM a\nWOR\u212ADIR /src\nENTRYPO\u0130NT [\"x\"]\n").get(2).keyword()).isEqualTo("ENTRYPOINT");
      // ...but a long s is not an s to Go (it upper-cases to S, it does not lower-case to s)
      assertThat(error("FROM a\nCOPY x y\n\u017FHELL [\"sh\"]\n").detail()).startsWith("unknown instruction");
    }

    @Test
    void unknownInstructionIsAnErrorWithItsLine() {
      DockerfileException e = error("FROM a\n\nRUNN echo\n");
      assertThat(e.line()).isEqualTo(3);
      assertThat(e.detail()).startsWith("unknown instruction: RUNN");
    }

    @Test
    void aLongKeywordIsAbbreviatedWithoutSplittingACharacter() {
      // 56 letters, then an emoji (two chars) across the 57-character cut
      String keyword = "A".repeat(56) + "\uD83D\uDE00" + "B".repeat(20);
      String detail = error("FROM a\n" + keyword + " x\n").detail();
      assertThat(detail).startsWith("unknown instruction: " + "A".repeat(56) + "...");
      assertThat(detail.chars().filter(c -> Character.isSurrogate((char) c))).isEmpty();
      assertThat(Texts.cut("ab\uD83D\uDE00cde", 6, "...")).isEqualTo("ab...");
      assertThat(Texts.cut("abc\uD83D\uDE00de", 6, "...")).isEqualTo("abc...");
      assertThat(Texts.cut("abcdef", 6, "...")).isEqualTo("abcdef");
    }

    @Test
    void missingContinuationShowsUpAsUnknownInstruction() {
      assertThat(error("FROM a\nRUN apt-get install \\\n  vim\n  && rm -rf x\n").line()).isEqualTo(4);
    }

    @Test
    void emptyInputIsAnError() {
      assertThat(error("").detail()).contains("empty");
      assertThat(error("# only\n\n# comments\n").detail()).contains("empty");
      assertThat(error(null).detail()).contains("empty");
      assertThat(error("\\\n\n").detail()).contains("continuation");
    }
  }

  @Nested
  class Forms {
    @Test
    void jsonForm() {
      Instruction i = parse("FROM a\nCMD [\"/bin/sh\", \"-c\", \"echo \\\"hi\\\"\"]\n").get(1);
      assertThat(i.isJson()).isTrue();
      assertThat(i.args()).containsExactly("/bin/sh", "-c", "echo \"hi\"");
    }

    @Test
    void invalidJsonFallsBackToShellForm() {
      Instruction run = parse("FROM a\nRUN [ -d /x ] || mkdir /x\n").get(1);
      assertThat(run.isJson()).isFalse();
      assertThat(run.args()).containsExactly("[ -d /x ] || mkdir /x");
      Instruction cmd = parse("FROM a\nCMD ['single', 'quotes']\n").get(1);
      assertThat(cmd.isJson()).isFalse();
      Instruction copy = parse("FROM a\nCOPY [abc] /x\n").get(1);
      assertThat(copy.isJson()).isFalse();
      assertThat(copy.args()).containsExactly("[abc]", "/x");
    }

    @Test
    void jsonWithNonStringsIsAnError() {
      assertThat(error("FROM a\nCMD [\"a\", 1]\n").detail()).contains("strings only");
      assertThat(error("FROM a\nRUN [[\"a\"]]\n").line()).isEqualTo(2);
    }

    @Test
    void unicodeEscapesAreReadAsGoReadsThem() {
      // a pair is one character; a lone surrogate, or one that does not pair, is U+FFFD
      assertThat(parse("FROM a\nCMD [\"\\ud83d\\ude00\", \"\\ud800\", \"\\udc00x\", \"\\ud800\\u0041\"]\n").get(1).args())
          .containsExactly("\uD83D\uDE00", "\uFFFD", "\uFFFDx", "\uFFFDA");
      // only ASCII hex digits: with Arabic-Indic digits it is no JSON, so the shell form
      Instruction cmd = parse("FROM a\nCMD [\"\\u\u0660\u0660\u0664\u0661\"]\n").get(1);
      assertThat(cmd.isJson()).isFalse();
    }

    @Test
    void aNumberBeyondFloat64MakesTheJsonInvalidAsGoReadsIt() {
      // json.Unmarshal fails with ErrRange wherever such a number is, and BuildKit then reads the shell form
      for (String json : List.of("[1e999]", "[\"a\", -1e309]", "[[\"x\"], {\"k\": 2e400}]")) {
        Instruction cmd = parse("FROM a\nCMD " + json + "\n").get(1);
        assertThat(cmd.isJson()).as(json).isFalse();
        assertThat(cmd.args()).as(json).containsExactly(json);
      }
      // in range, or an underflow (Go reads 0): valid JSON with a number, refused as in Docker
      assertThat(error("FROM a\nCMD [1e308]\n").detail()).contains("strings only");
      assertThat(error("FROM a\nCMD [\"a\", 1e-999]\n").detail()).contains("strings only");
      assertThat(error("FROM a\nCOPY [\"a\", 1e999] /x\n").detail()).contains("malformed JSON array in COPY: number out of range");
    }

    @Test
    void malformedJsonInCopyIsAnError() {
      DockerfileException e = error("FROM a\nCOPY [\"a\", \"b\"\n");
      assertThat(e.line()).isEqualTo(2);
      assertThat(e.detail()).contains("malformed JSON array in COPY").contains("unterminated");
      assertThat(error("FROM a\nCOPY [\"a, \"/b\"]\n").detail()).contains("malformed JSON");
    }

    @Test
    void deeplyNestedJsonDoesNotOverflow() {
      // 200,000 brackets on continuation lines (a physical line holds at most 65535 bytes)
      String deep = ("[".repeat(50_000) + "\\\n").repeat(4);
      assertThat(parse("FROM a\nRUN " + deep + "\n").get(1).isJson()).isFalse();
    }

    @Test
    void copyShellFormWordsKeepTheirQuotes() {
      Instruction c = parse("FROM a\nCOPY  \"a b\"\tc  /d/\n").get(1);
      assertThat(c.args()).containsExactly("\"a", "b\"", "c", "/d/");
      assertThat(c.argSpans().get(2)).isEqualTo(new Span(12, 13));
    }

    @Test
    void healthcheck() {
      Instruction h = parse("FROM a\nHEALTHCHECK --interval=5s CMD [\"curl\", \"-f\", \"x\"]\n").get(1);
      assertThat(h.args()).containsExactly("CMD", "curl", "-f", "x");
      assertThat(h.flag("interval")).get().extracting(Flag::value).isEqualTo("5s");
      assertThat(parse("FROM a\nHEALTHCHECK NONE\n").get(1).args()).containsExactly("NONE");
      assertThat(error("FROM a\nHEALTHCHECK NONE x\n").detail()).contains("NONE takes no arguments");
      assertThat(error("FROM a\nHEALTHCHECK PING x\n").detail()).contains("Unknown type");
    }
  }

  @Nested
  class Flags {
    @Test
    void copyFlags() {
      Instruction c = parse("FROM a\nCOPY --from=build --chown=1:2 --chmod=0755 --link --parents"
          + " --exclude=*.md --exclude=*.txt a b\n").get(1);
      assertThat(c.flags()).extracting(Flag::name)
          .containsExactly("from", "chown", "chmod", "link", "parents", "exclude", "exclude");
      assertThat(c.flag("from")).get().extracting(Flag::value).isEqualTo("build");
      assertThat(c.flag("link")).get().extracting(Flag::value).isEqualTo("true");
      assertThat(c.flags("exclude")).extracting(Flag::value).containsExactly("*.md", "*.txt");
      assertThat(c.args()).containsExactly("a", "b");
    }

    @Test
    void healthcheckDurationsAndRetriesAreCheckedAsBuildKitChecksThem() {
      assertThat(parse("FROM a\nHEALTHCHECK --interval=1m30s --timeout=.5s --start-period=0 --start-interval=1.5ms"
          + " --retries=+3 CMD true\n")).hasSize(2);
      assertThat(parse("FROM a\nHEALTHCHECK --interval= --retries= CMD true\n")).as("empty: the defaults").hasSize(2);
      assertThat(error("FROM a\nHEALTHCHECK --interval=30 CMD true\n").detail())
          .startsWith("HEALTHCHECK --interval: time: missing unit in duration \"30\"");
      assertThat(error("FROM a\nHEALTHCHECK --timeout=\"10 s\" CMD true\n").detail()).contains("unknown unit");
      assertThat(error("FROM a\nHEALTHCHECK --timeout=5d CMD true\n").detail()).contains("unknown unit \"d\"");
      assertThat(error("FROM a\nHEALTHCHECK --start-period=1ns CMD true\n").detail())
          .isEqualTo("Interval \"start-period\" cannot be less than 1ms");
      assertThat(error("FROM a\nHEALTHCHECK --interval=-5s CMD true\n").detail()).contains("cannot be less than 1ms");
      assertThat(error("FROM a\nHEALTHCHECK --retries=abc CMD true\n").detail()).contains("not a number");
      assertThat(error("FROM a\nHEALTHCHECK --retries=\u0663 CMD true\n").detail()).contains("not a number");
      assertThat(error("FROM a\nHEALTHCHECK --retries=-1 CMD true\n").detail()).isEqualTo("--retries cannot be negative (-1)");
      assertThat(parse("FROM a\nHEALTHCHECK NONE\n")).hasSize(2);
    }

    @Test
    void flagsThatBuildKitNeverReadsAreAcceptedAsKanikoAcceptsThem() {
      // parseArg, parseStopSignal and parseHealthcheck's NONE branch never call BFlags.Parse
      Instruction arg = parse("FROM a\nARG --whatever=1 --x VERSION=2\n").get(1);
      assertThat(arg.keyValues()).extracting(KeyValue::key).containsExactly("VERSION");
      assertThat(arg.flags()).extracting(Flag::name).containsExactly("whatever", "x");
      assertThat(parse("FROM a\nSTOPSIGNAL --x=1 --x=2 SIGTERM\n").get(1).args()).containsExactly("SIGTERM");
      assertThat(parse("FROM a\nHEALTHCHECK --bogus --interval=30 none\n")).hasSize(2);
      // ...where it reads them, the same flags are refused
      assertThat(error("FROM a\nHEALTHCHECK --bogus CMD true\n").detail()).startsWith("unknown flag --bogus for HEALTHCHECK");
      assertThat(error("FROM a\nHEALTHCHECK --interval=30 CMD true\n").detail()).contains("missing unit");
      assertThat(error("FROM a\nUSER --x=1 me\n").detail()).startsWith("unknown flag --x for USER");
    }

    @Test
    void flagQuotesAndEscapesAreProcessed() {
      Instruction c = parse("FROM a\nCOPY --from=\"my stage\" --chown=a\\ b x y\n").get(1);
      assertThat(c.flag("from")).get().extracting(Flag::value).isEqualTo("my stage");
      assertThat(c.flag("chown")).get().extracting(Flag::value).isEqualTo("a b");
    }

    @Test
    void doubleDashEndsFlags() {
      Instruction c = parse("FROM a\nCOPY -- --weird-file /x\n").get(1);
      assertThat(c.flags()).isEmpty();
      assertThat(c.args()).containsExactly("--weird-file", "/x");
    }

    @Test
    void fromPlatformAndRunFlags() {
      List<Instruction> is = parse("FROM --platform=$BUILDPLATFORM golang AS b\n"
          + "RUN --mount=type=cache,target=/root/.cache --mount=type=bind,target=/src --network=none go build\n");
      assertThat(is.get(0).flag("platform")).get().extracting(Flag::value).isEqualTo("$BUILDPLATFORM");
      assertThat(is.get(1).flags("mount")).hasSize(2);
      assertThat(is.get(1).argText()).isEqualTo("go build");
    }

    @Test
    void flagErrors() {
      assertThat(error("FROM a\nCOPY --frm=b x y\n").detail()).startsWith("unknown flag --frm for COPY");
      assertThat(error("FROM a\nADD --from=b x y\n").detail()).startsWith("unknown flag --from for ADD");
      assertThat(error("FROM a\nCOPY --from x y\n").detail()).startsWith("missing a value on flag: --from");
      assertThat(error("FROM a\nCOPY --link=maybe x y\n").detail()).contains("expecting boolean value");
      assertThat(error("FROM a\nCOPY --from=a --from=b x y\n").detail()).contains("duplicate flag");
      assertThat(error("FROM a\nENV --x=1 a=b\n").detail()).contains("takes no flags");
    }
  }

  @Nested
  class Arguments {
    @Test
    void argForms() {
      Instruction a = parse("ARG a=1 b=\"2 3\" c\nFROM x\n").get(0);
      assertThat(a.keyValues()).containsExactly(new KeyValue("a", "1", false),
          new KeyValue("b", "\"2 3\"", false), new KeyValue("c", null, false));
      assertThat(error("ARG =x\nFROM a").detail()).contains("ARG names can not be blank");
      assertThat(error("ARG\nFROM a").detail()).contains("at least one argument");
    }

    @Test
    void envForms() {
      List<Instruction> is = parse("FROM x\nENV k=v k2=\"v 2\" k3=a\\ b\nENV legacy some value here\nENV V = \"1.5\"\n");
      assertThat(is.get(1).keyValues()).containsExactly(new KeyValue("k", "v", false),
          new KeyValue("k2", "\"v 2\"", false), new KeyValue("k3", "a\\ b", false));
      assertThat(is.get(2).keyValues()).containsExactly(new KeyValue("legacy", "some value here", true));
      assertThat(is.get(3).keyValues()).containsExactly(new KeyValue("V", "= \"1.5\"", true));
    }

    @Test
    void envErrors() {
      assertThat(error("FROM x\nENV alone\n").detail()).contains("ENV must have two arguments");
      assertThat(error("FROM x\nENV a=1 b\n").detail()).contains("can't find = in \"b\"");
    }

    @Test
    void fromForms() {
      assertThat(parse("FROM golang:1.21 AS Build\n").get(0).args()).containsExactly("golang:1.21", "AS", "Build");
      assertThat(parse("FROM golang:1.21 as build\n").get(0).args()).hasSize(3);
      assertThat(error("FROM\n").detail()).startsWith("FROM needs an image");
      assertThat(error("FROM a b c\n").detail()).contains("FROM takes an image and optionally AS <name>");
      assertThat(error("FROM a AS\n").detail()).contains("FROM takes an image");
      assertThat(error("FROM a AS 1abc\n").detail()).contains("invalid name for build stage: \"1abc\"");
      assertThat(error("FROM a AS b/c\n").detail()).contains("invalid name for build stage");
    }

    @Test
    void copyNeedsADestination() {
      DockerfileException e = error("FROM a\nCOPY onlyone\n");
      assertThat(e.line()).isEqualTo(2);
      assertThat(e.detail()).contains("COPY needs at least one source and a destination");
      assertThat(error("FROM a\nCOPY a <<EOF\nx\nEOF\n").detail()).contains("heredoc as a destination");
    }

    @Test
    void otherArgumentChecks() {
      assertThat(error("FROM a\nWORKDIR\n").detail()).contains("WORKDIR requires exactly one argument");
      assertThat(error("FROM a\nSHELL /bin/sh -c\n").detail()).contains("JSON form");
      assertThat(error("FROM a\nVOLUME [\"\"]\n").detail()).contains("empty string");
      assertThat(error("FROM a\nEXPOSE\n").detail()).contains("EXPOSE requires at least one argument");
    }
  }

  @Nested
  class Heredocs {
    @Test
    void aLineBuildKitsLexerCannotReadOpensNoHeredoc() {
      // heredocsFromLine ignores the lexer's error and finds no marker: the body is read as instructions
      assertThat(error("FROM a\nARG T\nRUN echo ${T^^} && cat <<EOF > /x\nhello\nEOF\n").detail())
          .startsWith("unknown instruction: hello");
      assertThat(error("FROM a\nRUN echo ${#T} <<EOF\nhello\nEOF\n").detail()).startsWith("unknown instruction: hello");
      // what it reads, variables unset or not, still opens one
      assertThat(parse("FROM a\nRUN echo ${T:-x} ${U/a/b} $V <<EOF\nhello\nEOF\n").get(1).heredocs()).hasSize(1);
      assertThat(parse("FROM a\nRUN echo '${T^^}' <<EOF\nhello\nEOF\n").get(1).heredocs()).as("quoted").hasSize(1);
      // an unset variable's text is kept before its modifier is checked (SkipUnsetEnv): bash's offsets read
      assertThat(parse("FROM a\nRUN echo ${GIT_SHA:0:7} ${V:=x} > /v && cat <<EOF > /etc/app.conf\nkey=value\nEOF\n")
          .get(1).heredocs()).hasSize(1);
      assertThat(error("FROM a\nRUN echo ${V:#x} <<EOF\nhello\nEOF\n").detail()).startsWith("unknown instruction: hello");
    }

    @Test
    void runHeredocBodyIsNotParsedAsInstructions() {
      List<Instruction> is = parse("FROM a\nRUN <<EOF\nFROM evil\nCOPY x y\nEOF\nRUN after\n");
      assertThat(is).hasSize(3);
      Instruction run = is.get(1);
      assertThat(run.heredocs()).hasSize(1);
      assertThat(run.heredocs().get(0).name()).isEqualTo("EOF");
      assertThat(run.heredocs().get(0).content()).isEqualTo("FROM evil\nCOPY x y\n");
      assertThat(run.line()).isEqualTo(2);
      assertThat(run.endLine()).isEqualTo(5);
      assertThat(run.source()).isEqualTo("RUN <<EOF\nFROM evil\nCOPY x y\nEOF");
    }

    @Test
    void copyHeredoc() {
      Instruction c = parse("FROM a\nCOPY <<EOF /etc/x.conf\nkey=value\nEOF\n").get(1);
      assertThat(c.args()).containsExactly("<<EOF", "/etc/x.conf");
      assertThat(c.heredocs().get(0).content()).isEqualTo("key=value\n");
    }

    @Test
    void chompQuotedAndSeveralOnOneLine() {
      Instruction run = parse("FROM a\nRUN <<-\"ONE\" 3<<'TWO' cat\n\tfirst\n\tONE\n$second\nTWO\nRUN x\n").get(1);
      assertThat(run.heredocs()).hasSize(2);
      Heredoc one = run.heredocs().get(0);
      assertThat(one.name()).isEqualTo("ONE");
      assertThat(one.chomp()).isTrue();
      assertThat(one.expand()).isFalse();
      Heredoc two = run.heredocs().get(1);
      assertThat(two.name()).isEqualTo("TWO");
      assertThat(two.fileDescriptor()).isEqualTo(3);
      assertThat(two.content()).isEqualTo("$second\n");
    }

    @Test
    void spaceAfterMarker() {
      Instruction run = parse("FROM a\nRUN cat << EOF\nx\nEOF\n").get(1);
      assertThat(run.heredocs()).extracting(Heredoc::name).containsExactly("EOF");
    }

    @Test
    void quotedOrJsonMarkersAreNotHeredocs() {
      assertThat(parse("FROM a\nRUN echo \"<<EOF\"\nRUN x\n")).hasSize(3);
      assertThat(parse("FROM a\nRUN [\"cat\", \"<<EOF\"]\nRUN x\n")).hasSize(3);
      assertThat(parse("FROM a\nRUN echo $((1<<2))\n")).hasSize(2);
    }

    @Test
    void heredocAfterContinuation() {
      Instruction run = parse("FROM a\nRUN \\\n  cat <<EOF\nbody\nEOF\n").get(1);
      assertThat(run.heredocs()).hasSize(1);
      assertThat(run.endLine()).isEqualTo(5);
    }

    @Test
    void onbuildHeredoc() {
      List<Instruction> is = parse("FROM a\nONBUILD RUN <<EOF\nFROM x\nEOF\n");
      assertThat(is).hasSize(2);
      assertThat(is.get(1).trigger().keyword()).isEqualTo("RUN");
    }

    @Test
    void unterminatedHeredoc() {
      DockerfileException e = error("FROM a\nRUN <<EOF\nnever closed\n");
      assertThat(e.line()).isEqualTo(2);
      assertThat(e.detail()).contains("unterminated heredoc").contains("EOF");
    }
  }

  @Nested
  class Onbuild {
    @Test
    void triggerIsReadLeniently() {
      Instruction o = parse("FROM a\nONBUILD COPY --from=x . /app\n").get(1);
      assertThat(o.trigger().keyword()).isEqualTo("COPY");
      assertThat(o.trigger().flag("from")).isPresent();
      assertThat(parse("FROM a\nONBUILD NOTANINSTRUCTION x\n").get(1).trigger().keyword())
          .isEqualTo("NOTANINSTRUCTION");
    }

    @Test
    void whatBuildKitsLineParserRefusesInATriggerIsAnError() {
      assertThat(error("FROM a\nONBUILD ENV FOO\n").detail()).startsWith("ENV must have two arguments");
      assertThat(error("FROM a\nONBUILD LABEL a=1 b\n").detail()).startsWith("Syntax error - can't find = in \"b\"");
      assertThat(error("FROM a\nONBUILD RUN [\"a\", 1]\n").detail()).contains("strings only");
      // ...what only its instruction parser would refuse is not read in a trigger
      assertThat(parse("FROM a\nONBUILD COPY --bogus=1 x\n").get(1).trigger().keyword()).isEqualTo("COPY");
      assertThat(parse("FROM a\nONBUILD ENV =x\n").get(1).trigger().keyword()).isEqualTo("ENV");
    }

    @Test
    void forbiddenTriggers() {
      assertThat(error("FROM a\nONBUILD ONBUILD RUN x\n").detail()).contains("ONBUILD ONBUILD");
      assertThat(error("FROM a\nONBUILD FROM b\n").detail()).contains("FROM isn't allowed");
      assertThat(error("FROM a\n" + "ONBUILD ".repeat(100_000) + "RUN x\n").line()).isEqualTo(2);
    }
  }

  @Nested
  class Edits {
    @Test
    void editsMapBackToThePhysicalLines() {
      Instruction c = parse("FROM a\nCOPY --from=b \\\n   /x \\\n   /y\n").get(1);
      String out = c.applyEdits(List.of(c.deletion(c.flag("from").get().span()),
          new Instruction.Edit(c.argSpans().get(0), "from/b/x")));
      assertThat(out).isEqualTo("COPY \\\n   from/b/x \\\n   /y");
    }

    @Test
    void insertionAtTheEnd() {
      Instruction f = only("FROM alpine\n");
      int end = f.logical().length();
      assertThat(f.applyEdits(List.of(new Instruction.Edit(new Span(end, end), " AS x"))))
          .isEqualTo("FROM alpine AS x");
    }
  }

  @Test
  void largeInputIsLinear() {
    String big = "FROM a\n" + "RUN echo x \\\n".repeat(100_000) + "  done\n";
    long start = System.nanoTime();
    assertThat(parse(big)).hasSize(2);
    assertThat(System.nanoTime() - start).isLessThan(5_000_000_000L);
  }

  /** BuildKit's parser (and so kaniko's) reads at most 65535 bytes per physical line. */
  @org.junit.jupiter.api.Test
  void aLineLongerThanBuildKitsParserReadsIsRefusedWithItsNumber() {
    String ok = "RUN echo " + "x".repeat(65_000) + "\n";
    org.assertj.core.api.Assertions.assertThat(DockerfileParser.parse("FROM a\n" + ok).instructions()).hasSize(2);
    // two bytes a character: 40,000 characters are 80,000 bytes
    String tooLong = "RUN echo " + "\u00e9".repeat(40_000) + "\n";
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DockerfileParser.parse("FROM a\n\n" + tooLong))
        .isInstanceOf(DockerfileException.class).hasMessageContaining("line 3")
        .hasMessageContaining("longer than 65535 bytes");
  }
}

// The documentation kept true: every `microplan` command line in README.md, docs/*.md and the
// other top-level pages names an existing sub-command and only options that its `--help` lists,
// and every relative link points to an existing file (and heading, for links into a page).
// Command lines are read from fenced shell blocks (``` with no language, sh, bash, shell,
// console) and from inline code spans; the built binary answers `--help`, once per sub-command.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../support.hpp"

namespace fs = std::filesystem;
using namespace microplan::test;

namespace {

const fs::path source_dir{MICROPLAN_SOURCE_DIR};

// A command line found in a page, with the line it starts on (for messages).
struct example {
    std::string file;
    int line;
    std::string text;  // everything after the word `microplan`
};

// What `microplan <path> --help` says: its text, its sub-commands, whether it takes positionals.
struct help_page {
    bool exists = false;
    std::string text;
    std::set<std::string> subcommands;
    bool has_positionals = false;
};

// What `microplan <path> --help` prints, parsed.
help_page fetch_help(const std::string& path) {
    help_page page;
    auto r = run(microplan_cmd(path + (path.empty() ? "" : " ") + "--help"));
    page.exists = r.exit_code == 0 && r.output.find("Usage") != std::string::npos;
    page.text = r.output;
    std::istringstream in(r.output);
    std::string line;
    bool in_subcommands = false;
    static const std::regex subcommand("^  ([a-z][a-z0-9-]*)");
    while (std::getline(in, line)) {
        if (line.rfind("Positionals:", 0) == 0) page.has_positionals = true;
        if (line.rfind("Subcommands:", 0) == 0) {
            in_subcommands = true;
            continue;
        }
        std::smatch m;
        if (in_subcommands && std::regex_search(line, m, subcommand))
            page.subcommands.insert(m[1]);
        else if (in_subcommands && !line.empty() && line[0] != ' ')
            in_subcommands = false;
    }
    return page;
}

// The binary's --help for every sub-command path (the binary is the source of truth), read
// level by level with the calls of a level run at once, so the tests take seconds.
class help_cache {
public:
    help_cache() {
        std::vector<std::string> level{""};
        while (!level.empty()) {
            std::vector<std::future<help_page>> pending;
            for (const auto& path : level) pending.push_back(std::async(std::launch::async, fetch_help, path));
            std::vector<std::string> next;
            for (std::size_t i = 0; i < level.size(); ++i) {
                const auto& page = pages_.emplace(level[i], pending[i].get()).first->second;
                for (const auto& sub : page.subcommands) next.push_back(level[i] + (level[i].empty() ? "" : " ") + sub);
            }
            level = std::move(next);
        }
    }
    // A path outside the tree (a sub-command that does not exist) reads as a failing --help.
    const help_page& get(const std::string& path) {
        auto it = pages_.find(path);
        return it != pages_.end() ? it->second : pages_.emplace(path, fetch_help(path)).first->second;
    }

private:
    std::map<std::string, help_page> pages_;
};

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// The part of a shell line that belongs to the command: up to a comment or a following
// command (`| prog`, `&&`, `;`, a redirection). `a|b` without spaces is a value list, kept.
std::string command_part(const std::string& line) {
    static const std::regex end(R"((^|\s)(#|\|\s+[A-Za-z]|&&|;|2?>))");
    std::smatch m;
    return std::regex_search(line, m, end) ? line.substr(0, m.position(0)) : line;
}

// `microplan` as a program name: at the start of a word or after a path (`build/microplan`).
const std::regex& invocation() {
    static const std::regex re(R"((^|[\s/(])microplan\s+(.*)$)");
    return re;
}

// Command lines of one fenced shell block: a line ending in `\` continues on the next, and so
// does an indented line after a microplan command (the option lists wrapped under it).
void shell_block_examples(const std::vector<std::string>& block, const std::string& file, int first_line,
                          std::vector<example>& out) {
    bool open = false;
    bool continued = false;
    for (std::size_t i = 0; i < block.size(); ++i) {
        std::string line = block[i];
        bool backslash = !line.empty() && line.back() == '\\';
        if (backslash) line.pop_back();
        std::string part = command_part(line);
        std::smatch m;
        if (std::regex_search(part, m, invocation())) {
            out.push_back({file, first_line + static_cast<int>(i), m[2]});
            open = true;
        } else if (open && (continued || (!line.empty() && (line[0] == ' ' || line[0] == '\t')))) {
            out.back().text += " " + part;
        } else {
            open = false;
        }
        continued = backslash;
    }
}

// Inline code spans that start with `microplan ` (spans may wrap across lines of a paragraph).
void inline_examples(const std::string& prose, const std::string& file, int line, std::vector<example>& out) {
    static const std::regex span("`([^`]+)`");
    for (auto it = std::sregex_iterator(prose.begin(), prose.end(), span); it != std::sregex_iterator(); ++it) {
        std::string code = (*it)[1];
        if (code.rfind("microplan ", 0) == 0) out.push_back({file, line, code.substr(10)});
    }
}

bool is_shell_fence(const std::string& info) {
    return info.empty() || info == "sh" || info == "bash" || info == "shell" || info == "console";
}

// Every microplan command line of a Markdown page.
std::vector<example> examples_of(const std::string& text, const std::string& file) {
    std::vector<example> out;
    auto lines = lines_of(text);
    std::string paragraph;
    int paragraph_line = 0;
    auto flush = [&] {
        inline_examples(paragraph, file, paragraph_line, out);
        paragraph.clear();
    };
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        if (line.rfind("```", 0) == 0) {
            flush();
            std::string info = line.substr(3);
            std::size_t end = i + 1;
            while (end < lines.size() && lines[end].rfind("```", 0) != 0) ++end;
            if (is_shell_fence(info))
                shell_block_examples({lines.begin() + static_cast<long>(i) + 1, lines.begin() + static_cast<long>(end)},
                                     file, static_cast<int>(i) + 2, out);
            i = end;
            continue;
        }
        if (line.empty()) {
            flush();
            continue;
        }
        if (paragraph.empty()) paragraph_line = static_cast<int>(i) + 1;
        paragraph += line + " ";
    }
    flush();
    return out;
}

// Words of a command line without the brackets, parentheses and alternatives of usage syntax.
std::vector<std::string> words_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string w; in >> w;) {
        while (!w.empty() && std::string("[({").find(w.front()) != std::string::npos) w.erase(0, 1);
        while (!w.empty() && std::string("])}|").find(w.back()) != std::string::npos) w.pop_back();
        if (!w.empty()) out.push_back(w);
    }
    return out;
}

bool help_names_option(const std::string& help, const std::string& option) {
    // The option followed by what ends a name in CLI11's help: space, comma, `=` or line end.
    static const std::string name_chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
    for (std::size_t at = help.find(option); at != std::string::npos; at = help.find(option, at + 1)) {
        bool starts = at == 0 || help[at - 1] == ' ' || help[at - 1] == ',';
        std::size_t after = at + option.size();
        bool ends = after == help.size() || name_chars.find(help[after]) == std::string::npos;
        if (starts && ends) return true;
    }
    return false;
}

// What is wrong with one command line: an unknown sub-command or an option its --help lacks.
std::vector<std::string> check_example(const example& ex, help_cache& help) {
    std::vector<std::string> problems;
    auto where = ex.file + ":" + std::to_string(ex.line) + ": microplan " +
                 std::regex_replace(ex.text, std::regex("\\s+"), " ") + ": ";
    auto words = words_of(ex.text);
    std::string path;
    std::size_t i = 0;
    const help_page* page = &help.get(path);
    while (i < words.size() && page->subcommands.count(words[i])) {
        path += (path.empty() ? "" : " ") + words[i++];
        page = &help.get(path);
    }
    if (path.empty() && !words.empty() && words[0][0] != '-') return {where + "no sub-command '" + words[0] + "'"};
    if (!page->exists) return {where + "`microplan " + path + " --help` fails"};
    // A command with sub-commands may run itself with options (`design --units ...`).
    if (!page->subcommands.empty() && !page->has_positionals && i < words.size() && words[i][0] != '-')
        problems.push_back(where + "'" + words[i] + "' is not a sub-command of `microplan " + path + "`");
    for (; i < words.size(); ++i) {
        const std::string& w = words[i];
        static const std::regex long_option("^--[A-Za-z0-9][A-Za-z0-9_-]*");
        static const std::regex short_option("^-[A-Za-z]$");
        std::smatch m;
        std::string option;
        if (std::regex_search(w, m, long_option))
            option = m[0];
        else if (std::regex_match(w, short_option))
            option = w;
        if (!option.empty() && !help_names_option(page->text, option))
            problems.push_back(where + "`microplan " + path + " --help` has no option " + option);
    }
    return problems;
}

// The pages the tests read: README.md and the other top-level pages, and docs/*.md.
std::vector<fs::path> pages() {
    std::vector<fs::path> out;
    for (const auto& dir : {source_dir, source_dir / "docs"})
        for (const auto& e : fs::directory_iterator(dir))
            if (e.is_regular_file() && e.path().extension() == ".md") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::string relative_name(const fs::path& p) { return fs::relative(p, source_dir).string(); }

// GitHub's anchor for a heading: lower case, spaces to hyphens, punctuation dropped.
std::string anchor_of(const std::string& heading) {
    std::string out;
    for (std::size_t i = 0; i < heading.size(); ++i) {
        unsigned char c = heading[i];
        if (std::isalnum(c))
            out += static_cast<char>(std::tolower(c));
        else if (c == ' ' || c == '-')
            out += '-';
        else if (c == '_' || c >= 0x80)
            out += static_cast<char>(c);
    }
    // The en and em dashes are punctuation too (U+2013, U+2014 in UTF-8).
    for (const char* dash : {"\xE2\x80\x93", "\xE2\x80\x94"})
        for (std::size_t at; (at = out.find(dash)) != std::string::npos;) out.erase(at, 3);
    return out;
}

std::set<std::string> anchors_of(const std::string& text) {
    std::set<std::string> out;
    bool fenced = false;
    for (const auto& line : lines_of(text)) {
        if (line.rfind("```", 0) == 0) fenced = !fenced;
        std::smatch m;
        if (!fenced && std::regex_match(line, m, std::regex("#+ +(.*)"))) out.insert(anchor_of(m[1]));
    }
    return out;
}

// Markdown text without fenced blocks and code spans, where links live.
std::string prose_of(const std::string& text) {
    std::string out;
    bool fenced = false;
    for (const auto& line : lines_of(text)) {
        if (line.rfind("```", 0) == 0) {
            fenced = !fenced;
            continue;
        }
        if (!fenced) out += std::regex_replace(line, std::regex("`[^`]*`"), "") + "\n";
    }
    return out;
}

// What is wrong with the relative links of one page.
std::vector<std::string> check_links(const fs::path& page) {
    std::vector<std::string> problems;
    std::string prose = prose_of(read_text(page));
    static const std::regex link(R"(\]\(([^)\s]+)\))");
    for (auto it = std::sregex_iterator(prose.begin(), prose.end(), link); it != std::sregex_iterator(); ++it) {
        std::string target = (*it)[1];
        if (std::regex_search(target, std::regex("^[a-z]+:"))) continue;  // http:, https:, mailto:
        std::string file = target.substr(0, target.find('#'));
        std::string fragment = target.find('#') == std::string::npos ? "" : target.substr(target.find('#') + 1);
        fs::path resolved = file.empty() ? page : page.parent_path() / file;
        if (!fs::exists(resolved)) {
            problems.push_back(relative_name(page) + ": link to missing " + target);
            continue;
        }
        if (!fragment.empty() && resolved.extension() == ".md" && !anchors_of(read_text(resolved)).count(fragment))
            problems.push_back(relative_name(page) + ": link to missing heading " + target);
    }
    return problems;
}

std::string joined(const std::vector<std::string>& problems) {
    std::string out;
    for (const auto& p : problems) out += p + "\n";
    return out;
}

}  // namespace

TEST(Docs, TheCheckerCatchesAWrongSubcommandOrOption) {
    help_cache help;
    std::string page =
        "```sh\n"
        "microplan serve demo.sqlite --port 8093 --no-such-option 1\n"
        "microplan no-such-command --out x\n"
        "build/microplan access travel-time STORE --sector salud\n"
        "                 [--knight] [--warp-speed 9]\n"
        "microplan access teleport STORE\n"
        "```\n"
        "Inline: `microplan validate STORE --json --pretty`.\n";
    std::vector<std::string> problems;
    for (const auto& ex : examples_of(page, "inline.md"))
        for (auto& p : check_example(ex, help)) problems.push_back(p);
    EXPECT_EQ(problems.size(), 5u) << joined(problems);
    auto has = [&](const std::string& s) { return joined(problems).find(s) != std::string::npos; };
    EXPECT_TRUE(has("has no option --no-such-option")) << joined(problems);
    EXPECT_TRUE(has("no sub-command 'no-such-command'")) << joined(problems);
    EXPECT_TRUE(has("has no option --warp-speed")) << joined(problems);
    EXPECT_TRUE(has("'teleport' is not a sub-command of `microplan access`")) << joined(problems);
    EXPECT_TRUE(has("has no option --pretty")) << joined(problems);
}

TEST(Docs, EveryCommandLineUsesARealSubcommandAndItsOptions) {
    help_cache help;
    std::vector<std::string> problems;
    std::size_t checked = 0;
    for (const auto& page : pages()) {
        for (const auto& ex : examples_of(read_text(page), relative_name(page))) {
            ++checked;
            for (auto& p : check_example(ex, help)) problems.push_back(p);
        }
    }
    EXPECT_GT(checked, 50u) << "the pages hold fewer command lines than expected: is the parser broken?";
    EXPECT_TRUE(problems.empty()) << joined(problems);
}

TEST(Docs, EveryRelativeLinkPointsToAnExistingFile) {
    std::vector<std::string> problems;
    for (const auto& page : pages())
        for (auto& p : check_links(page)) problems.push_back(p);
    EXPECT_TRUE(problems.empty()) << joined(problems);
}

TEST(Docs, TheReadmeIsTheFrontDoor) {
    std::string readme = read_text(source_dir / "README.md");
    EXPECT_LT(readme.size(), 10'000u) << "README.md is the front door; the reference belongs in docs/";
    // CI runs exactly this line.
    EXPECT_TRUE(std::regex_search(readme, std::regex("(^|\n)make test(\\s|$)"))) << "README.md lost `make test`";
    for (const auto& page : pages()) {
        if (page.parent_path() != source_dir / "docs") continue;
        EXPECT_NE(readme.find("docs/" + page.filename().string()), std::string::npos)
            << "README.md does not link " << relative_name(page);
    }
}

TEST(Docs, ImagesAreSmall) {
    for (const auto& e : fs::directory_iterator(source_dir / "docs" / "img"))
        EXPECT_LT(fs::file_size(e.path()), 300'000u) << relative_name(e.path()) << ": keep committed images small";
}

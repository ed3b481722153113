/*
 * gen_maildir.c: a generator of realistic maildirs, for the store benchmark.
 *
 *   bench/gen_maildir [-s SEED] N DIR
 *
 * Creates DIR/{cur,new,tmp} holding N messages shaped like an inbox of a few
 * years: header blocks with folded Received lines, DKIM signatures and the
 * headers each kind of mailer adds (Gmail, Outlook, Thunderbird, mutt,
 * Apple Mail, git send-email, newsletters); senders, recipients and
 * subjects in nine languages as RFC 2047 encoded words in the charsets
 * those languages use (UTF-8, ISO-8859-1/2/7/15, windows-1251/1252, KOI8-R,
 * Shift_JIS, ISO-2022-JP, GB2312, GBK), a few raw 8-bit ones; Date in the
 * varied forms mailers write, a few broken or missing; threads through
 * In-Reply-To and References (about 60% of the messages, some of whose
 * parents are missing), mailing lists with List-Id. Bodies are mostly 1 to
 * 20 KB of text in 8bit, quoted-printable or base64, many with an HTML
 * alternative, about 10% with base64 attachments of 20 to 300 KB. File
 * names are "SECS.MmicrosPpidQn.host,S=SIZE:2,FLAGS" with the flags of a
 * read inbox; about 2% of the messages wait in new/ without flags.
 *
 * The same seed gives the same maildir, byte for byte. Files are written
 * with plain write(2) and never fsync'd: this is test data, not mail.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#define OWNER_NAME	"Jeanne Martin"
#define OWNER_ADDR	"jeanne@example.fr"
#define HOST		"mail.example.fr"	/* host part of file names */
#define T_START		1546300800	/* 2019-01-01 00:00:00 UTC */
#define T_END		1717200000	/* 2024-06-01 00:00:00 UTC */
#define NPEOPLE		700		/* correspondents */
#define NNEWS		24		/* of which newsletter senders */
#define MAX_ACTIVE	48		/* threads still receiving replies */
#define POOL_SIZE	(1u << 20)	/* random base64 text */
#define MAX_DEPTH	60		/* References longer than this are cut */

static FCT_NORETURN void die(const char *, ...) FCT_PRINTF(1, 2);
static FCT_NORETURN void diex(const char *, ...) FCT_PRINTF(1, 2);

/* "gen_maildir: WHAT: strerror(errno)", exit 1. */
static void
die(const char *fmt, ...)
{
	va_list	ap;
	int	e = errno;

	(void)fputs("gen_maildir: ", stderr);
	va_start(ap, fmt);
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void)fprintf(stderr, ": %s\n", strerror(e));
	exit(1);
}

static void
diex(const char *fmt, ...)
{
	va_list	ap;

	(void)fputs("gen_maildir: ", stderr);
	va_start(ap, fmt);
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void)fputc('\n', stderr);
	exit(1);
}

/* ------------------------------------------------------------------ */
/* Growable output buffer                                              */

struct obuf {
	char	*p;
	size_t	 len, cap;
};

static void	ob_printf(struct obuf *, const char *, ...) FCT_PRINTF(2, 3);

static void
ob_reserve(struct obuf *o, size_t n)
{
	if (o->cap - o->len > n)
		return;
	while (o->cap - o->len <= n)
		o->cap = o->cap != 0 ? o->cap * 2 : 256;
	o->p = xrealloc(o->p, o->cap);
}

static void
ob_put(struct obuf *o, const void *p, size_t n)
{
	ob_reserve(o, n);
	memcpy(o->p + o->len, p, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void
ob_str(struct obuf *o, const char *s)
{
	ob_put(o, s, strlen(s));
}

static inline void
ob_char(struct obuf *o, int c)
{
	ob_reserve(o, 1);
	o->p[o->len++] = (char)c;
	o->p[o->len] = '\0';
}

static void
ob_printf(struct obuf *o, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	ob_reserve(o, 256);
	va_start(ap, fmt);
	n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		diex("vsnprintf failed");
	if ((size_t)n >= o->cap - o->len) {
		ob_reserve(o, (size_t)n);
		va_start(ap, fmt);
		(void)vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
	}
	o->len += (size_t)n;
}

/* ------------------------------------------------------------------ */
/* Languages, charsets, people                                         */

enum { L_EN, L_FR, L_DE, L_ES, L_RU, L_JA, L_ZH, L_EL, L_PL, L_N };

enum {
	CS_UTF8, CS_LATIN1, CS_LATIN9, CS_CP1252, CS_LATIN2, CS_GREEK,
	CS_KOI8R, CS_CP1251, CS_ISO2022JP, CS_SJIS, CS_GB2312, CS_GBK, CS_N
};

static const struct charset {
	const char	*lower;		/* as mutt and Thunderbird write it */
	const char	*upper;		/* as Gmail and Outlook write it */
} charsets[CS_N] = {
	[CS_UTF8] = { "utf-8", "UTF-8" },
	[CS_LATIN1] = { "iso-8859-1", "ISO-8859-1" },
	[CS_LATIN9] = { "iso-8859-15", "ISO-8859-15" },
	[CS_CP1252] = { "windows-1252", "Windows-1252" },
	[CS_LATIN2] = { "iso-8859-2", "ISO-8859-2" },
	[CS_GREEK] = { "iso-8859-7", "ISO-8859-7" },
	[CS_KOI8R] = { "koi8-r", "KOI8-R" },
	[CS_CP1251] = { "windows-1251", "Windows-1251" },
	[CS_ISO2022JP] = { "iso-2022-jp", "ISO-2022-JP" },
	[CS_SJIS] = { "shift_jis", "Shift_JIS" },
	[CS_GB2312] = { "gb2312", "GB2312" },
	[CS_GBK] = { "gbk", "GBK" },
};

struct name_pair {
	const char	*u;		/* UTF-8 */
	const char	*a;		/* for the address */
};

#define NP(u, a)	{ u, a }

static const struct name_pair en_first[] = {
	NP("John", "john"), NP("Mary", "mary"), NP("James", "james"),
	NP("Patricia", "patricia"), NP("Robert", "robert"),
	NP("Linda", "linda"), NP("Michael", "michael"), NP("Sarah", "sarah"),
	NP("David", "david"), NP("Emily", "emily"), NP("Chris", "chris"),
	NP("Karen", "karen"), NP("Tom", "tom"), NP("Alice", "alice")
};
static const struct name_pair en_last[] = {
	NP("Smith", "smith"), NP("Johnson", "johnson"),
	NP("Williams", "williams"), NP("Brown", "brown"), NP("Jones", "jones"),
	NP("Miller", "miller"), NP("Davis", "davis"), NP("Wilson", "wilson"),
	NP("Taylor", "taylor"), NP("Clark", "clark"), NP("O'Brien", "obrien")
};
static const struct name_pair fr_first[] = {
	NP("François", "francois"), NP("Hélène", "helene"),
	NP("Jérôme", "jerome"), NP("Céline", "celine"), NP("Benoît", "benoit"),
	NP("Anaïs", "anais"), NP("Jean-Luc", "jean-luc"), NP("Zoé", "zoe"),
	NP("Éric", "eric"), NP("Amélie", "amelie"), NP("Pierre", "pierre"),
	NP("Sophie", "sophie")
};
static const struct name_pair fr_last[] = {
	NP("Pérez", "perez"), NP("Dubois", "dubois"), NP("Lefèvre", "lefevre"),
	NP("Girard", "girard"), NP("Martin", "martin"),
	NP("Bernard", "bernard"), NP("Rousseau", "rousseau"),
	NP("Faure", "faure"), NP("Chevalier", "chevalier"),
	NP("Léger", "leger"), NP("Mercier", "mercier")
};
static const struct name_pair de_first[] = {
	NP("Jürgen", "juergen"), NP("Günther", "guenther"),
	NP("Käthe", "kaethe"), NP("Sören", "soeren"), NP("Uwe", "uwe"),
	NP("Anja", "anja"), NP("Björn", "bjoern"), NP("Stefan", "stefan"),
	NP("Jörg", "joerg"), NP("Ute", "ute")
};
static const struct name_pair de_last[] = {
	NP("Müller", "mueller"), NP("Schröder", "schroeder"),
	NP("Weiß", "weiss"), NP("Groß", "gross"), NP("Köhler", "koehler"),
	NP("Bäcker", "baecker"), NP("Fischer", "fischer"),
	NP("Schäfer", "schaefer"), NP("Wagner", "wagner")
};
static const struct name_pair es_first[] = {
	NP("José", "jose"), NP("María", "maria"), NP("Jesús", "jesus"),
	NP("Begoña", "begona"), NP("Íñigo", "inigo"), NP("Nuria", "nuria"),
	NP("Ramón", "ramon"), NP("Lucía", "lucia")
};
static const struct name_pair es_last[] = {
	NP("García", "garcia"), NP("Núñez", "nunez"), NP("Muñoz", "munoz"),
	NP("Fernández", "fernandez"), NP("López", "lopez"),
	NP("Martínez", "martinez"), NP("Sánchez", "sanchez")
};
static const struct name_pair ru_first[] = {
	NP("Иван", "ivan"), NP("Ольга", "olga"), NP("Сергей", "sergey"),
	NP("Наталья", "natalya"), NP("Дмитрий", "dmitry"), NP("Юлия", "yulia"),
	NP("Алексей", "alexey"), NP("Ирина", "irina"), NP("Пётр", "petr")
};
static const struct name_pair ru_last[] = {
	NP("Петров", "petrov"), NP("Смирнов", "smirnov"),
	NP("Кузнецов", "kuznetsov"), NP("Соколов", "sokolov"),
	NP("Попова", "popova"), NP("Волкова", "volkova"),
	NP("Фёдоров", "fedorov"), NP("Морозов", "morozov")
};
static const struct name_pair ja_first[] = {
	NP("太郎", "taro"), NP("花子", "hanako"), NP("健一", "kenichi"),
	NP("美咲", "misaki"), NP("翔", "sho"), NP("由美", "yumi"),
	NP("大輔", "daisuke"), NP("恵子", "keiko")
};
static const struct name_pair ja_last[] = {
	NP("山田", "yamada"), NP("佐藤", "sato"), NP("鈴木", "suzuki"),
	NP("高橋", "takahashi"), NP("田中", "tanaka"), NP("渡辺", "watanabe"),
	NP("伊藤", "ito"), NP("中村", "nakamura")
};
static const struct name_pair zh_first[] = {
	NP("伟", "wei"), NP("芳", "fang"), NP("娜", "na"),
	NP("秀英", "xiuying"), NP("敏", "min"), NP("静", "jing"),
	NP("强", "qiang"), NP("磊", "lei")
};
static const struct name_pair zh_last[] = {
	NP("王", "wang"), NP("李", "li"), NP("张", "zhang"), NP("刘", "liu"),
	NP("陈", "chen"), NP("杨", "yang"), NP("黄", "huang"), NP("赵", "zhao")
};
static const struct name_pair el_first[] = {
	NP("Γιώργος", "giorgos"), NP("Μαρία", "maria"), NP("Νίκος", "nikos"),
	NP("Ελένη", "eleni"), NP("Δημήτρης", "dimitris"),
	NP("Κατερίνα", "katerina")
};
static const struct name_pair el_last[] = {
	NP("Παπαδόπουλος", "papadopoulos"), NP("Οικονόμου", "oikonomou"),
	NP("Γεωργίου", "georgiou"), NP("Νικολάου", "nikolaou"),
	NP("Βασιλείου", "vasileiou")
};
static const struct name_pair pl_first[] = {
	NP("Łukasz", "lukasz"), NP("Małgorzata", "malgorzata"),
	NP("Paweł", "pawel"), NP("Agnieszka", "agnieszka"),
	NP("Wojciech", "wojciech"), NP("Joanna", "joanna"),
	NP("Michał", "michal")
};
static const struct name_pair pl_last[] = {
	NP("Wójcik", "wojcik"), NP("Kowalski", "kowalski"),
	NP("Nowak", "nowak"), NP("Wiśniewski", "wisniewski"),
	NP("Dąbrowski", "dabrowski"), NP("Zieliński", "zielinski")
};

static const char *const en_words[] = {
	"the", "meeting", "report", "please", "attached", "find", "project",
	"update", "review", "thanks", "we", "should", "discuss", "next",
	"week", "about", "budget", "deadline", "team", "I", "think", "this",
	"is", "a", "good", "idea", "but", "patch", "breaks", "build", "on",
	"ARM", "could", "you", "check", "again", "and", "let", "me", "know",
	"if", "anything", "changes", "schedule", "customer", "release",
	"notes", "version", "server", "config", "issue", "fixed", "tomorrow",
	"morning", "call", "document", "draft", "comments", "agree", "with",
	"your", "proposal", "numbers", "quarter", "the", "to", "of", "in",
	"for", "that", "it", "as", "have", "be", "at", "not", "will", "all",
	"new", "test", "results", "look", "fine", "now", "after", "before",
	"need", "more", "time", "sorry", "for", "the", "delay", "here", "is",
	"updated", "plan", "travel", "office", "Monday", "Friday", "invoice"
};
static const char *const fr_words[] = {
	"la", "réunion", "compte", "rendu", "projet", "pièce", "jointe",
	"demain", "merci", "équipe", "budget", "délai", "été", "très", "à",
	"où", "ça", "déjà", "problème", "serveur", "mise", "jour", "version",
	"client", "août", "le", "de", "et", "les", "des", "est", "pour",
	"que", "nous", "vous", "il", "faut", "voir", "avec", "dans", "une",
	"un", "sur", "pas", "plus", "semaine", "prochaine", "lundi",
	"vendredi", "bureau", "facture", "devis", "après", "avant", "bientôt",
	"réponse", "question", "données", "paramètres", "résultat", "prêt",
	"fenêtre", "début", "côté", "intérêt", "élève", "hôtel", "mardi",
	"Noël", "Lyon", "Genève", "voilà", "ci-joint", "cordialement"
};
static const char *const de_words[] = {
	"die", "Besprechung", "Bericht", "Projekt", "bitte", "Anhang",
	"morgen", "Grüße", "Änderungen", "Übersicht", "für", "können",
	"wäre", "Straße", "Größe", "Termin", "Kunde", "Version", "Server",
	"der", "das", "und", "ist", "nicht", "mit", "auf", "zu", "wir", "Sie",
	"haben", "werden", "noch", "schon", "nächste", "Woche", "Rechnung",
	"Frage", "Antwort", "Büro", "schön", "natürlich", "möglich", "über",
	"gemäß", "Zeitplan", "Ergebnis", "prüfen", "Entwurf", "Vorschlag"
};
static const char *const es_words[] = {
	"la", "reunión", "informe", "proyecto", "por", "favor", "adjunto",
	"mañana", "gracias", "equipo", "presupuesto", "año", "señor",
	"próxima", "semana", "cambios", "versión", "servidor", "cliente",
	"el", "de", "que", "y", "en", "los", "se", "del", "las", "un", "con",
	"no", "una", "su", "para", "es", "al", "lo", "como", "más", "pero",
	"está", "también", "después", "aquí", "pregunta", "número", "día"
};
static const char *const ru_words[] = {
	"привет", "коллеги", "отчёт", "встреча", "проект", "завтра",
	"пожалуйста", "посмотрите", "документ", "вопрос", "сервер", "работа",
	"нужно", "сделать", "спасибо", "неделя", "бюджет", "клиент",
	"версия", "изменения", "и", "в", "не", "на", "я", "что", "с", "мы",
	"по", "это", "как", "для", "все", "уже", "ещё", "файл", "срок",
	"договор", "счёт", "оплата", "план", "результат", "понедельник",
	"пятница", "можно", "будет", "было", "очень", "хорошо", "давайте"
};
static const char *const ja_words[] = {
	"会議", "資料", "確認", "お願いします", "よろしく", "本日", "明日",
	"報告", "プロジェクト", "予定", "変更", "担当", "件", "について",
	"です", "ます", "お疲れ様です", "添付", "ファイル", "ご確認ください",
	"サーバー", "修正", "対応", "スケジュール", "の", "を", "に", "は",
	"が", "で", "と", "から", "まで", "来週", "見積", "請求書", "問題",
	"結果", "開始", "終了", "準備", "連絡", "いたします", "ありがとう"
};
static const char *const zh_words[] = {
	"会议", "报告", "项目", "请", "查看", "附件", "明天", "时间", "安排",
	"问题", "服务器", "版本", "更新", "谢谢", "客户", "预算", "计划",
	"我们", "需要", "讨论", "文件", "修改", "确认", "的", "是", "在",
	"了", "和", "有", "这", "个", "下周", "今天", "已经", "完成", "测试",
	"结果", "合同", "发票", "联系"
};
static const char *const el_words[] = {
	"συνάντηση", "αναφορά", "έργο", "παρακαλώ", "συνημμένο", "αύριο",
	"ευχαριστώ", "ομάδα", "πρόγραμμα", "διακομιστής", "έκδοση",
	"αλλαγές", "προϋπολογισμός", "και", "το", "να", "της", "την", "με",
	"για", "στο", "από", "είναι", "θα", "δεν", "εβδομάδα", "πελάτης",
	"ερώτηση", "απάντηση", "τιμολόγιο", "σήμερα", "καλημέρα"
};
static const char *const pl_words[] = {
	"spotkanie", "raport", "projekt", "proszę", "załącznik", "jutro",
	"dziękuję", "zespół", "zmiany", "wersja", "serwer", "budżet",
	"termin", "klient", "pytanie", "łączę", "pozdrowienia", "źródło",
	"więcej", "i", "w", "nie", "na", "się", "z", "do", "że", "to", "jest",
	"jak", "ale", "po", "tak", "już", "przyszły", "tydzień", "faktura",
	"umowa", "środa", "piątek", "będzie", "można", "trzeba"
};

static const char *const en_subj[] = {
	"Meeting notes for Tuesday", "Quarterly report", "Budget review Q3",
	"Server maintenance window this weekend", "Lunch on Friday?",
	"Your invoice is ready", "Draft agenda for the offsite",
	"Question about the API rate limits",
	"[PATCH] fix use-after-free in the header parser",
	"Build failure on ARM64", "Holiday schedule", "Welcome to the team!",
	"Travel expenses", "Conference call moved to 3pm",
	"Security update required", "Pictures from the trip",
	"Contract renewal", "Interview feedback", "Release 2.4 checklist",
	"Proposal: drop support for the old config format",
	"Outage postmortem and follow-up actions for the storage cluster"
};
static const char *const fr_subj[] = {
	"Compte rendu de la réunion de mardi",
	"Pièce jointe : facture n° 2024-03", "Réunion d'équipe demain à 10 h",
	"Congés d'été", "Problème de connexion au serveur", "Déjeuner vendredi ?",
	"Mise à jour du planning", "Devis pour les travaux",
	"Invitation : séminaire à Lyon", "Relance : paiement en attente",
	"Présentation du projet", "Photos de la fête",
	"Rappel : assemblée générale de l'association le 12 décembre à Genève"
};
static const char *const de_subj[] = {
	"Besprechung am Donnerstag", "Bericht für das dritte Quartal",
	"Änderungen am Vertrag", "Grüße aus München", "Terminverschiebung",
	"Rückfrage zur Rechnung", "Übersicht der offenen Punkte",
	"Einladung zur Weihnachtsfeier"
};
static const char *const es_subj[] = {
	"Reunión del lunes", "Informe anual", "Presupuesto para el año próximo",
	"¿Comida el viernes?", "Cambios en la versión 3", "Fotos de la boda"
};
static const char *const ru_subj[] = {
	"Отчёт за квартал", "Встреча в понедельник", "Вопрос по договору",
	"Изменения в расписании", "Приглашение на конференцию",
	"Счёт на оплату",
	("Обновление сервера в эту субботу, просьба сохранить все документы "
	"заранее")
};
static const char *const ja_subj[] = {
	"会議の議事録", "資料送付のお願い", "来週の予定について",
	"見積書のご確認", "サーバー移行のお知らせ", "お疲れ様です",
	"【重要】パスワード変更のお願い"
};
static const char *const zh_subj[] = {
	"会议纪要", "项目进度报告", "关于下周的安排", "服务器维护通知",
	"请查收附件", "新年快乐"
};
static const char *const el_subj[] = {
	"Συνάντηση την Τρίτη", "Αναφορά προόδου", "Πρόσκληση σε εκδήλωση",
	"Ερώτηση για το τιμολόγιο"
};
static const char *const pl_subj[] = {
	"Spotkanie w środę", "Raport kwartalny", "Zmiany w harmonogramie",
	"Pytanie o fakturę", "Życzenia świąteczne"
};

static const char *const en_files[] = { "report", "invoice", "slides",
	"minutes", "contract", "budget" };
static const char *const fr_files[] = { "Rapport", "Facture",
	"Compte-rendu réunion", "Présentation", "Devis" };
static const char *const de_files[] = { "Übersicht", "Rechnung",
	"Bericht" };
static const char *const es_files[] = { "Informe", "Factura" };
static const char *const ru_files[] = { "Отчёт", "Счёт", "Договор" };
static const char *const ja_files[] = { "見積書", "議事録", "資料" };
static const char *const zh_files[] = { "报告", "会议纪要" };
static const char *const el_files[] = { "Αναφορά", "Τιμολόγιο" };
static const char *const pl_files[] = { "Faktura", "Sprawozdanie" };

static const char *const newsletters[L_N] = {
	"Example Weekly Digest", "La Lettre d'Exemple", "Beispiel Newsletter",
	"Boletín de Ejemplo", "Рассылка Example", "Exampleニュース",
	"Example 新闻", "Ενημερωτικό Example", "Biuletyn Przykład"
};

#define WORDS(a)	a, NELEM(a)

static const struct lang {
	const char		*tag;		/* Content-Language */
	const char		*tld;
	int			 natives[3];	/* other charsets; 0 ends */
	const struct name_pair	*first, *last;
	size_t			 nfirst, nlast;
	const char *const	*words;
	size_t			 nwords;
	const char *const	*subj;
	size_t			 nsubj;
	const char *const	*files;
	size_t			 nfiles;
	bool			 family_first;	/* "Yamada Taro" */
	bool			 nospace;	/* no spaces between words */
	bool			 latin;		/* quoted-printable, not base64 */
	int			 tz;		/* minutes east of UTC */
	unsigned		 weight;	/* share of correspondents, % */
	const char		*hello, *hello_end;
	const char		*wrote[3];	/* before date, before name, end */
	const char		*bye;
} langs[L_N] = {
	[L_EN] = { "en-US", "com", { 0 }, en_first, en_last, NELEM(en_first),
	    NELEM(en_last), WORDS(en_words), WORDS(en_subj), WORDS(en_files),
	    false, false, true, -300, 36, "Hi ", ",",
	    { "On ", ", ", " wrote:" }, "Best regards," },
	[L_FR] = { "fr-FR", "fr", { CS_LATIN1, CS_LATIN9, CS_CP1252 },
	    fr_first, fr_last, NELEM(fr_first), NELEM(fr_last),
	    WORDS(fr_words), WORDS(fr_subj), WORDS(fr_files), false, false,
	    true, 60, 22, "Bonjour ", ",", { "Le ", ", ", " a écrit :" },
	    "Bien cordialement," },
	[L_DE] = { "de-DE", "de", { CS_LATIN1, CS_LATIN9 }, de_first, de_last,
	    NELEM(de_first), NELEM(de_last), WORDS(de_words), WORDS(de_subj),
	    WORDS(de_files), false, false, true, 60, 10, "Hallo ", ",",
	    { "Am ", " schrieb ", ":" }, "Viele Grüße" },
	[L_ES] = { "es-ES", "es", { CS_LATIN1 }, es_first, es_last,
	    NELEM(es_first), NELEM(es_last), WORDS(es_words), WORDS(es_subj),
	    WORDS(es_files), false, false, true, 60, 5, "Hola ", ":",
	    { "El ", ", ", " escribió:" }, "Un saludo," },
	[L_RU] = { "ru-RU", "ru", { CS_KOI8R, CS_CP1251 }, ru_first, ru_last,
	    NELEM(ru_first), NELEM(ru_last), WORDS(ru_words), WORDS(ru_subj),
	    WORDS(ru_files), false, false, false, 180, 8, "Здравствуйте, ",
	    "!", { "", ", ", " пишет:" }, "С уважением," },
	[L_JA] = { "ja-JP", "jp", { CS_ISO2022JP, CS_SJIS }, ja_first,
	    ja_last, NELEM(ja_first), NELEM(ja_last), WORDS(ja_words),
	    WORDS(ja_subj), WORDS(ja_files), true, true, false, 540, 7, "",
	    "様", { "", " ", " のメッセージ:" }, "よろしくお願いいたします。" },
	[L_ZH] = { "zh-CN", "cn", { CS_GB2312, CS_GBK }, zh_first, zh_last,
	    NELEM(zh_first), NELEM(zh_last), WORDS(zh_words), WORDS(zh_subj),
	    WORDS(zh_files), true, true, false, 480, 4, "", "，你好",
	    { "在 ", "，", " 写道：" }, "谢谢！" },
	[L_EL] = { "el-GR", "gr", { CS_GREEK }, el_first, el_last,
	    NELEM(el_first), NELEM(el_last), WORDS(el_words), WORDS(el_subj),
	    WORDS(el_files), false, false, false, 120, 4, "Γεια σου ", ",",
	    { "Στις ", ", ο/η ", " έγραψε:" }, "Φιλικά," },
	[L_PL] = { "pl-PL", "pl", { CS_LATIN2 }, pl_first, pl_last,
	    NELEM(pl_first), NELEM(pl_last), WORDS(pl_words), WORDS(pl_subj),
	    WORDS(pl_files), false, false, true, 60, 4, "Cześć ", ",",
	    { "W dniu ", ", ", " pisze:" }, "Pozdrawiam," },
};

/* Mailing lists: some threads go through one. */
static const struct mlist {
	const char	*id;
	const char	*desc;
	const char	*prefix;	/* subject tag, or "" */
	const char	*addr;
} mlists[] = {
	{ "dev.lists.example.org", "Development discussion", "[dev] ",
	    "dev@lists.example.org" },
	{ "users.lists.example.org", "Users of Example", "[users] ",
	    "users@lists.example.org" },
	{ "announce.lists.example.org", "Announcements", "[ANN] ",
	    "announce@lists.example.org" },
	{ "kernel.vger.example.org", NULL, "",
	    "kernel@vger.example.org" },
	{ "asso-fr.listes.example.fr", "Liste de l'association", "[asso] ",
	    "asso@listes.example.fr" },
	{ "security.lists.example.net", "Security advisories", "",
	    "security@lists.example.net" },
};

enum mailer {
	MA_GMAIL, MA_OUTLOOK, MA_THUNDERBIRD, MA_MUTT, MA_APPLE, MA_GIT,
	MA_NEWS, MA_N
};

struct person {
	char		*mbox;		/* header form, encoded when needed */
	char		*name;		/* UTF-8, for attribution lines */
	const char	*hello;		/* how a reply greets this person */
	char		*addr;
	uint8_t		 lang;
	uint8_t		 mailer;
	uint8_t		 cs;		/* preferred charset */
	bool		 qmode;		/* Q encoding rather than B */
	int16_t		 tz;
};

/* ------------------------------------------------------------------ */
/* Messages and threads                                                */

struct mrec {
	char		*msgid;		/* "<...>", or NULL when none */
	uint32_t	 parent;	/* UINT32_MAX for none */
	uint32_t	 thread;	/* UINT32_MAX for none */
	uint16_t	 from;
	uint16_t	 depth;
	int64_t		 date;
	bool		 has_child;
	bool		 written;
};

struct thread {
	uint32_t	last;		/* latest message */
	uint16_t	subj;		/* index into the flat subject table */
	uint16_t	left;		/* replies still to come */
	uint16_t	suffix;		/* "(#1234)" after the subject, or 0 */
	int8_t		list;		/* index into mlists, or -1 */
	uint8_t		lang;
};

struct subject {
	const char	*text;
	uint8_t		 lang;
	char		*enc[CS_N][2];	/* encoded forms, made when needed */
};

struct msg {
	uint32_t		 idx;
	const struct person	*from;
	const struct thread	*th;
	const struct mrec	*rec;
	const struct mrec	*parent;	/* or NULL */
	int64_t			 t;		/* delivery */
	int			 cs;		/* body charset */
	bool			 upper;		/* charset labels in upper case */
	bool			 list;
	unsigned		 nattach;
};

struct gen {
	uint64_t	 s;
	struct person	*people;
	struct subject	*subjects;
	size_t		 nsubjects;
	struct mrec	*recs;
	size_t		 nrecs, caprecs;
	struct thread	*threads;
	size_t		 nthreads, capthreads;
	uint32_t	 active[MAX_ACTIVE];
	size_t		 nactive;
	char		*pool;		/* POOL_SIZE random base64 characters */
	iconv_t		 cd[CS_N];
	struct obuf	 out, text, conv, tmp, html;
	unsigned	 pid, q;
	size_t		 n;		/* messages to write */
	/* What was made, for the summary line. */
	uint64_t	 bytes;
	size_t		 in_new, attached, nhtml, lost, max_depth;
};

/* ------------------------------------------------------------------ */
/* Randomness (xorshift64*, seeded through splitmix64)                 */

static uint64_t
rnd(struct gen *g)
{
	g->s ^= g->s >> 12;
	g->s ^= g->s << 25;
	g->s ^= g->s >> 27;
	return g->s * 0x2545f4914f6cdd1dULL;
}

static uint32_t
rnd_n(struct gen *g, uint32_t n)
{
	return (uint32_t)(((rnd(g) >> 32) * n) >> 32);
}

/* True with probability permille / 1000. */
static bool
chance(struct gen *g, unsigned permille)
{
	return rnd_n(g, 1000) < permille;
}

/* Log-uniform in [lo, hi]: as many small messages as large ones per
 * doubling of size, as in real mail. */
static size_t
rnd_logsize(struct gen *g, size_t lo, size_t hi)
{
	double	x, e = 0, f, r;

	for (r = (double)hi / (double)lo; r > 1.0; r /= 2)
		e += 1;
	/* lo * 2^(u * e), e = log2(hi / lo) rounded up; draws past hi are
	 * drawn again (no libm: 2^f by a cubic, 0.1% off). */
	do {
		x = e * (double)rnd_n(g, 1u << 20) / (double)(1u << 20);
		f = x - (double)(long)x;
		r = (double)lo * (double)(1ul << (long)x) *
		    (1 + f * (0.6931 + f * (0.2402 + f * 0.0555)));
	} while (r > (double)hi);
	return (size_t)r;
}

static void
seed_rng(struct gen *g, uint64_t seed)
{
	uint64_t	z = seed + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	g->s = z ^ (z >> 31);
	if (g->s == 0)
		g->s = 1;
}

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* n random characters from set (NUL-terminated, at most 64 long). */
static void
rnd_chars(struct gen *g, struct obuf *o, const char *set, size_t n)
{
	uint32_t	len = (uint32_t)strlen(set);
	size_t		i;

	ob_reserve(o, n);
	for (i = 0; i < n; i++)
		o->p[o->len++] = set[rnd_n(g, len)];
	o->p[o->len] = '\0';
}

/* n base64 characters out of the pool, at a random place. */
static void
pool_chars(struct gen *g, struct obuf *o, size_t n)
{
	size_t	at;

	if (n > POOL_SIZE / 2)
		n = POOL_SIZE / 2;
	at = rnd_n(g, POOL_SIZE / 2);
	ob_put(o, g->pool + at, n);
}

/* ------------------------------------------------------------------ */
/* Encodings                                                           */

static void
b64_encode(struct obuf *o, const unsigned char *s, size_t n, bool lines)
{
	size_t	i, col = 0;

	ob_reserve(o, n / 3 * 4 + n / 57 + 8);
	for (i = 0; i < n; i += 3) {
		uint32_t	v = (uint32_t)s[i] << 16;
		char		*p = o->p + o->len;

		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		p[0] = b64chars[v >> 18];
		p[1] = b64chars[(v >> 12) & 63];
		p[2] = i + 1 < n ? b64chars[(v >> 6) & 63] : '=';
		p[3] = i + 2 < n ? b64chars[v & 63] : '=';
		o->len += 4;
		col += 4;
		if (lines && col >= 76) {
			o->p[o->len++] = '\n';
			col = 0;
		}
	}
	if (lines && col > 0)
		o->p[o->len++] = '\n';
	o->p[o->len] = '\0';
}

static bool
qp_needs(const unsigned char *s, size_t i, size_t n)
{
	unsigned char	c = s[i];

	if (c == ' ' || c == '\t')
		return i + 1 == n || s[i + 1] == '\n';
	return c == '=' || c > 126 || c < 32;
}

/* Quoted-printable body (RFC 2045 6.7): lines at most 76, soft breaks. */
static void
qp_encode(struct obuf *o, const unsigned char *s, size_t n)
{
	static const char	hex[] = "0123456789ABCDEF";
	size_t			i, col = 0;
	char			*p;

	/* At worst 3 bytes per byte plus a soft break per 25 of them. */
	ob_reserve(o, 3 * n + n / 8 + 16);
	p = o->p + o->len;
	for (i = 0; i < n; i++) {
		bool	enc;

		if (s[i] == '\n') {
			*p++ = '\n';
			col = 0;
			continue;
		}
		enc = qp_needs(s, i, n);
		if (col + (enc ? 3 : 1) > 75) {
			*p++ = '=';
			*p++ = '\n';
			col = 0;
		}
		if (enc) {
			*p++ = '=';
			*p++ = hex[s[i] >> 4];
			*p++ = hex[s[i] & 15];
			col += 3;
		} else {
			*p++ = (char)s[i];
			col++;
		}
	}
	o->len = (size_t)(p - o->p);
	o->p[o->len] = '\0';
}

/* Convert UTF-8 to charset cs into out (replacing out's contents). */
static void
convert(struct gen *g, int cs, const char *s, size_t n, struct obuf *out)
{
	char	*in = (char *)(uintptr_t)s;
	size_t	 inleft = n;

	out->len = 0;
	if (cs == CS_UTF8) {
		ob_put(out, s, n);
		return;
	}
	(void)iconv(g->cd[cs], NULL, NULL, NULL, NULL);
	for (;;) {
		char	*op;
		size_t	 oleft, r;

		ob_reserve(out, inleft * 2 + 16);
		op = out->p + out->len;
		oleft = out->cap - out->len - 1;
		r = inleft > 0 ? iconv(g->cd[cs], &in, &inleft, &op, &oleft) :
		    iconv(g->cd[cs], NULL, NULL, &op, &oleft);
		out->len = (size_t)(op - out->p);
		if (r != (size_t)-1 && inleft == 0) {
			if (iconv(g->cd[cs], NULL, NULL, &op, &oleft) !=
			    (size_t)-1) {
				out->len = (size_t)(op - out->p);
				break;
			}
		} else if (errno == EILSEQ || errno == EINVAL) {
			/* Not in this charset: a question mark, as mailers do. */
			ob_char(out, '?');
			do {
				in++;
				inleft--;
			} while (inleft > 0 && ((unsigned char)*in & 0xc0) ==
			    0x80);
		}
	}
	out->p[out->len] = '\0';
}

/* Characters allowed unencoded in a Q encoded-word of a phrase (RFC 2047
 * 5(3)). */
static bool
q_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '!' || c == '*' || c == '+' ||
	    c == '-' || c == '/';
}

static size_t
ew_len(const struct obuf *raw, bool q)
{
	size_t	i, n = 0;

	if (!q)
		return (raw->len + 2) / 3 * 4;
	for (i = 0; i < raw->len; i++)
		n += q_plain((unsigned char)raw->p[i]) ||
		    raw->p[i] == ' ' ? 1 : 3;
	return n;
}

static void
ew_emit(struct obuf *o, const struct obuf *raw, const char *label, bool q)
{
	static const char	hex[] = "0123456789ABCDEF";
	size_t			i;

	ob_printf(o, "=?%s?%c?", label, q ? 'Q' : 'B');
	if (!q)
		b64_encode(o, (const unsigned char *)raw->p, raw->len, false);
	for (i = 0; q && i < raw->len; i++) {
		unsigned char	c = (unsigned char)raw->p[i];

		if (c == ' ')
			ob_char(o, '_');
		else if (q_plain(c))
			ob_char(o, c);
		else
			ob_printf(o, "=%c%c", hex[c >> 4], hex[c & 15]);
	}
	ob_str(o, "?=");
}

static bool
is_ascii(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/*
 * s (UTF-8) as RFC 2047 encoded-words in charset cs, each at most 75
 * characters and holding whole characters (RFC 2047 5), folded between
 * words. ASCII text is copied as it is.
 */
static void
encode_words(struct gen *g, struct obuf *o, const char *s, int cs,
    bool upper, bool q)
{
	const char	*label = upper ? charsets[cs].upper :
			    charsets[cs].lower;
	size_t		 n = strlen(s), pos = 0, room;
	struct obuf	 raw = { 0 };

	if (is_ascii(s, n)) {
		ob_str(o, s);
		return;
	}
	room = 75 - 7 - strlen(label);
	while (pos < n) {
		size_t	end = pos, best = pos;

		while (end < n) {
			end++;
			while (end < n && ((unsigned char)s[end] & 0xc0) == 0x80)
				end++;
			convert(g, cs, s + pos, end - pos, &raw);
			if (ew_len(&raw, q) > room && best > pos)
				break;
			best = end;
		}
		convert(g, cs, s + pos, best - pos, &raw);
		if (pos > 0)
			ob_str(o, "\n ");
		ew_emit(o, &raw, label, q);
		pos = best;
	}
	free(raw.p);
}

/* ------------------------------------------------------------------ */
/* Dates                                                               */

static const char *const wdays[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	"Fri", "Sat" };
static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
	"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

enum {
	DS_PLAIN, DS_PAD, DS_COMMENT, DS_NOWDAY, DS_NOSEC, DS_YY, DS_ZONE,
	DS_SPACES, DS_NVALID,
	/* broken ones */
	DS_ISO = DS_NVALID, DS_ASCTIME, DS_BADTIME, DS_WORDS, DS_EMPTY,
	DS_FEB31, DS_N
};

static const char *
zone_name(int tz)
{
	switch (tz) {
	case 0:
		return "GMT";
	case -300:
		return "EST";
	case -480:
		return "PST";
	case 60:
		return "CET";
	default:
		return NULL;
	}
}

static void
fmt_broken(struct obuf *o, const struct tm *tm, char *zone, int style)
{
	if (style == DS_ISO)
		ob_printf(o, "%04d-%02d-%02d %02d:%02d:%02d",
		    tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday,
		    tm->tm_hour, tm->tm_min, tm->tm_sec);
	else if (style == DS_ASCTIME)
		ob_printf(o, "%s %s %2d %02d:%02d:%02d %04d",
		    wdays[tm->tm_wday], months[tm->tm_mon], tm->tm_mday,
		    tm->tm_hour, tm->tm_min, tm->tm_sec, tm->tm_year + 1900);
	else if (style == DS_BADTIME)
		ob_printf(o, "%s, %d %s %04d 25:61:99 %s", wdays[tm->tm_wday],
		    tm->tm_mday, months[tm->tm_mon], tm->tm_year + 1900, zone);
	else if (style == DS_WORDS)
		ob_printf(o, "%sday the %dth of %s", wdays[tm->tm_wday],
		    tm->tm_mday, months[tm->tm_mon]);
	else if (style == DS_FEB31)
		ob_printf(o, "%s, 31 Feb %04d %02d:%02d:%02d %s",
		    wdays[tm->tm_wday], tm->tm_year + 1900, tm->tm_hour,
		    tm->tm_min, tm->tm_sec, zone);
}

/* A Date: value for time t seen from tz (minutes east of UTC). */
static void
fmt_date(struct obuf *o, int64_t t, int tz, int style)
{
	time_t		 lt = (time_t)(t + (int64_t)tz * 60);
	struct tm	 tm;
	char		 zone[16];
	const char	*wd, *zn = zone_name(tz);
	int		 y;

	(void)gmtime_r(&lt, &tm);
	(void)snprintf(zone, sizeof(zone), "%c%02d%02d", tz < 0 ? '-' : '+',
	    abs(tz) / 60, abs(tz) % 60);
	wd = wdays[tm.tm_wday];
	y = tm.tm_year + 1900;
	if (style >= DS_NVALID) {
		fmt_broken(o, &tm, zone, style);
		return;
	}
	if ((style == DS_ZONE || style == DS_COMMENT) && zn == NULL)
		style = style == DS_ZONE ? DS_PLAIN : DS_PAD;
	if (style == DS_PAD || style == DS_COMMENT)
		ob_printf(o, "%s, %02d %s %d %02d:%02d:%02d %s%s%s%s", wd,
		    tm.tm_mday, months[tm.tm_mon], y, tm.tm_hour, tm.tm_min,
		    tm.tm_sec, zone, style == DS_COMMENT ? " (" : "",
		    style == DS_COMMENT ? zn : "",
		    style == DS_COMMENT ? ")" : "");
	else if (style == DS_NOWDAY)
		ob_printf(o, "%d %s %d %02d:%02d:%02d %s", tm.tm_mday,
		    months[tm.tm_mon], y, tm.tm_hour, tm.tm_min, tm.tm_sec, zone);
	else if (style == DS_NOSEC)
		ob_printf(o, "%s, %d %s %d %02d:%02d %s", wd, tm.tm_mday,
		    months[tm.tm_mon], y, tm.tm_hour, tm.tm_min, zone);
	else if (style == DS_YY)
		ob_printf(o, "%s, %d %s %02d %02d:%02d:%02d %s", wd, tm.tm_mday,
		    months[tm.tm_mon], y % 100, tm.tm_hour, tm.tm_min,
		    tm.tm_sec, zone);
	else
		ob_printf(o, "%s,%s%d %s %d %02d:%02d:%02d %s", wd,
		    style == DS_SPACES && tm.tm_mday < 10 ? "  " : " ",
		    tm.tm_mday, months[tm.tm_mon], y, tm.tm_hour, tm.tm_min,
		    tm.tm_sec, style == DS_ZONE ? zn : zone);
}

/* ------------------------------------------------------------------ */
/* People and subjects                                                 */

static const char *const domains_gmail = "gmail.example.com";

static unsigned
pick_lang(struct gen *g)
{
	unsigned	r = rnd_n(g, 100), l;

	for (l = 0; l < L_N - 1; l++) {
		if (r < langs[l].weight)
			return l;
		r -= langs[l].weight;
	}
	return L_N - 1;
}

static unsigned
pick_mailer(struct gen *g)
{
	static const unsigned	w[] = { 34, 22, 16, 9, 12, 7 };
	unsigned		r = rnd_n(g, 100), m;

	for (m = 0; m < NELEM(w) - 1; m++) {
		if (r < w[m])
			return m;
		r -= w[m];
	}
	return MA_GIT;
}

static int
pick_charset(struct gen *g, unsigned lang, unsigned mailer)
{
	const struct lang	*L = &langs[lang];
	unsigned		 nn = 0;

	while (nn < 3 && L->natives[nn] != 0)
		nn++;
	/* Gmail and Apple Mail send UTF-8; others often the native one. */
	if (nn == 0 || mailer == MA_GMAIL || mailer == MA_APPLE ||
	    chance(g, 550))
		return CS_UTF8;
	return L->natives[rnd_n(g, nn)];
}

/* The From/To form of p: the many ways mailers write a mailbox. */
static void
make_mbox(struct gen *g, struct person *p, const char *first,
    const char *last)
{
	struct obuf	o = { 0 };
	bool		upper = p->mailer == MA_GMAIL ||
			    p->mailer == MA_OUTLOOK;
	unsigned	form = rnd_n(g, 100);
	bool		ascii = is_ascii(p->name, strlen(p->name));

	if (form < 6 && p->mailer != MA_NEWS)
		ob_str(&o, p->addr);
	else if (form < 9 && p->mailer != MA_NEWS)
		ob_printf(&o, "<%s>", p->addr);
	else if (form < 13 && ascii)
		ob_printf(&o, "%s (%s)", p->addr, p->name);
	else if (form < 22 && ascii && !langs[p->lang].family_first)
		ob_printf(&o, "\"%s, %s\" <%s>", last, first, p->addr);
	else if (ascii && strchr(p->name, '\'') != NULL)
		ob_printf(&o, "\"%s\" <%s>", p->name, p->addr);
	else {
		encode_words(g, &o, p->name, p->cs, upper, p->qmode);
		ob_printf(&o, " <%s>", p->addr);
	}
	p->mbox = o.p;
}

static const int	en_tz[] = { 0, 0, 60, -300, -360, -420, -480, 600 };

static void
make_person(struct gen *g, struct person *p, size_t i)
{
	const struct lang	*L;
	const struct name_pair	*f, *l;
	const char		*dom;

	p->lang = (uint8_t)pick_lang(g);
	L = &langs[p->lang];
	p->mailer = (uint8_t)(i < NNEWS ? MA_NEWS : pick_mailer(g));
	p->cs = (uint8_t)pick_charset(g, p->lang, p->mailer);
	p->qmode = L->latin && p->mailer != MA_GMAIL && chance(g, 700);
	p->tz = (int16_t)(p->lang == L_EN ? en_tz[rnd_n(g, NELEM(en_tz))] :
	    L->tz);
	f = &L->first[rnd_n(g, (uint32_t)L->nfirst)];
	l = &L->last[rnd_n(g, (uint32_t)L->nlast)];
	dom = p->mailer == MA_GMAIL ? domains_gmail : NULL;
	if (p->mailer == MA_NEWS) {
		p->name = xstrdup(newsletters[p->lang]);
		p->addr = xasprintf("%s@news%zu.example.%s", chance(g, 500) ?
		    "noreply" : "newsletter", i, L->tld);
	} else {
		p->name = L->family_first ?
		    xasprintf("%s%s%s", l->u, p->lang == L_ZH ? "" : " ",
		    f->u) : xasprintf("%s %s", f->u, l->u);
		if (dom != NULL)
			p->addr = xasprintf("%s.%s%zu@%s", f->a, l->a, i % 97,
			    dom);
		else
			p->addr = xasprintf("%s.%s@%s%s.example.%s", f->a, l->a,
			    rnd_n(g, 3) == 0 ? "mail." : "", rnd_n(g, 2) == 0 ?
			    "corp" : "univ", L->tld);
	}
	p->hello = L->family_first ? l->u : f->u;
	make_mbox(g, p, f->u, l->u);
}

static void
make_subjects(struct gen *g)
{
	size_t	l, k, n = 0;

	for (l = 0; l < L_N; l++)
		n += langs[l].nsubj;
	g->subjects = xcalloc(n, sizeof(*g->subjects));
	for (l = 0; l < L_N; l++)
		for (k = 0; k < langs[l].nsubj; k++) {
			g->subjects[g->nsubjects].text = langs[l].subj[k];
			g->subjects[g->nsubjects++].lang = (uint8_t)l;
		}
}

/* Subject s encoded in charset cs, cached. */
static const char *
subject_enc(struct gen *g, size_t s, int cs, bool q, bool upper)
{
	struct subject	*sj = &g->subjects[s];
	struct obuf	 o = { 0 };

	if (upper)
		q = false;
	if (sj->enc[cs][q] == NULL) {
		encode_words(g, &o, sj->text, cs, upper, q);
		sj->enc[cs][q] = o.p;
	}
	return sj->enc[cs][q];
}

/* ------------------------------------------------------------------ */
/* Planning: who writes, in which thread, when                         */

static uint32_t
new_rec(struct gen *g)
{
	if (g->nrecs == g->caprecs) {
		g->caprecs = g->caprecs != 0 ? g->caprecs * 2 : 1024;
		g->recs = xreallocarray(g->recs, g->caprecs, sizeof(*g->recs));
	}
	memset(&g->recs[g->nrecs], 0, sizeof(*g->recs));
	g->recs[g->nrecs].parent = UINT32_MAX;
	g->recs[g->nrecs].thread = UINT32_MAX;
	return (uint32_t)g->nrecs++;
}

/* A sender: a few people write much of the mail (squared uniform). */
static uint16_t
pick_sender(struct gen *g, int lang)
{
	uint32_t	u, k, tries;

	for (tries = 0; ; tries++) {
		u = rnd_n(g, 1u << 16);
		k = NNEWS + (uint32_t)(((uint64_t)u * u * (NPEOPLE - NNEWS)) >>
		    32);
		if (lang < 0 || g->people[k].lang == lang || tries >= 12)
			return (uint16_t)k;
	}
}

static void
make_msgid(struct gen *g, struct mrec *r, const struct person *p)
{
	struct obuf	o = { 0 };
	time_t		t = (time_t)r->date;
	struct tm	tm;
	static const char	hexu[] = "0123456789ABCDEF";
	static const char	hexl[] = "0123456789abcdef";
	const char	*dom = strchr(p->addr, '@') + 1;

	(void)gmtime_r(&t, &tm);
	ob_char(&o, '<');
	switch (p->mailer) {
	case MA_GMAIL:
		ob_str(&o, "CA");
		rnd_chars(g, &o, b64chars, 42);
		ob_str(&o, "@mail.gmail.example.com");
		break;
	case MA_OUTLOOK:
		ob_printf(&o, "AM6PR%02uMB%04u", rnd_n(g, 10), rnd_n(g, 10000));
		rnd_chars(g, &o, hexu, 32);
		ob_printf(&o, "@AM6PR%02uMB%04u.eurprd%02u.prod.outlook."
		    "example.com", rnd_n(g, 10), rnd_n(g, 10000), rnd_n(g, 10));
		break;
	case MA_MUTT:
		ob_printf(&o, "%04d%02d%02d%02d%02d%02d.GA%u@%s",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, 1000 + rnd_n(g, 30000), dom);
		break;
	case MA_GIT:
		ob_printf(&o, "%04d%02d%02d%02d%02d%02d.%u-1-%.*s@%s",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, 1000 + rnd_n(g, 30000),
		    (int)(strchr(p->addr, '@') - p->addr), p->addr, dom);
		break;
	case MA_NEWS:
		rnd_chars(g, &o, hexl, 24);
		ob_printf(&o, ".%u@mta%u.%s", rnd_n(g, 1000000), rnd_n(g, 9),
		    dom);
		break;
	default:	/* Thunderbird and Apple Mail: a UUID */
		rnd_chars(g, &o, p->mailer == MA_APPLE ? hexu : hexl, 8);
		ob_char(&o, '-');
		rnd_chars(g, &o, p->mailer == MA_APPLE ? hexu : hexl, 4);
		ob_str(&o, p->mailer == MA_APPLE ? "-4A1B-" : "-4a1b-");
		rnd_chars(g, &o, p->mailer == MA_APPLE ? hexu : hexl, 4);
		ob_char(&o, '-');
		rnd_chars(g, &o, p->mailer == MA_APPLE ? hexu : hexl, 12);
		ob_printf(&o, "@%s", dom);
		break;
	}
	ob_char(&o, '>');
	r->msgid = o.p;
}

/* Start a thread at message idx, or leave it alone. */
static void
plan_root(struct gen *g, uint32_t idx, bool news)
{
	struct mrec	*r = &g->recs[idx];
	struct thread	*t;
	int		 lang;

	if (g->nthreads == g->capthreads) {
		g->capthreads = g->capthreads != 0 ? g->capthreads * 2 : 1024;
		g->threads = xreallocarray(g->threads, g->capthreads,
		    sizeof(*g->threads));
	}
	t = &g->threads[g->nthreads];
	memset(t, 0, sizeof(*t));
	r->from = news ? (uint16_t)rnd_n(g, NNEWS) : pick_sender(g, -1);
	lang = g->people[r->from].lang;
	t->lang = (uint8_t)lang;
	/* Mostly a subject of the sender's language. */
	do
		t->subj = (uint16_t)rnd_n(g, (uint32_t)g->nsubjects);
	while (g->subjects[t->subj].lang != lang && !chance(g, 100));
	t->suffix = chance(g, 350) ? (uint16_t)(1 + rnd_n(g, 9999)) : 0;
	t->list = !news && chance(g, 280) ?
	    (int8_t)rnd_n(g, NELEM(mlists)) : -1;
	t->last = idx;
	r->thread = (uint32_t)g->nthreads++;
	if (news || g->nactive == MAX_ACTIVE || !chance(g, 450))
		return;
	/* Replies to come: geometric, longer on lists. */
	t->left = 1;
	while (t->left < 300 && chance(g, t->list >= 0 ? 820 : 640))
		t->left++;
	g->active[g->nactive++] = r->thread;
}

static void
plan_reply(struct gen *g, uint32_t idx)
{
	size_t		 a = rnd_n(g, (uint32_t)g->nactive);
	struct thread	*t = &g->threads[g->active[a]];
	struct mrec	*r = &g->recs[idx];
	uint32_t	 p = t->last, up;

	/* Answer the latest message, or one of its ancestors (a branch). */
	if (chance(g, 400))
		for (up = rnd_n(g, g->recs[p].depth + 1u); up > 0 &&
		    g->recs[p].parent != UINT32_MAX; up--)
			p = g->recs[p].parent;
	r->parent = p;
	r->thread = g->active[a];
	r->depth = (uint16_t)(g->recs[p].depth + 1);
	r->from = pick_sender(g, chance(g, 650) ? t->lang : -1);
	t->last = idx;
	if (--t->left == 0)
		g->active[a] = g->active[--g->nactive];
}

/* ------------------------------------------------------------------ */
/* Header fields                                                       */

/* One Received field; hop 0 is the last (top) one. */
static void
received(struct gen *g, struct obuf *o, const struct msg *m, unsigned hop,
    unsigned nhops, int64_t t)
{
	int	 ds = DS_COMMENT, tz = 60;
	char	 id[11];
	size_t	 k;

	for (k = 0; k < sizeof(id) - 1; k++)
		id[k] = "0123456789ABCDEF"[rnd_n(g, 16)];
	id[k] = '\0';
	if (hop == 0)
		ob_printf(o, "Received: from mx%u.example.fr ([192.0.2.%u])\n"
		    "\tby imap.example.fr with LMTP\n\tid %s%06u\n"
		    "\t(envelope-from <%s>)\n\tfor <" OWNER_ADDR ">; ",
		    1 + rnd_n(g, 2), 10 + rnd_n(g, 4), id, rnd_n(g, 1000000),
		    m->from->addr);
	else if (hop == 1)
		ob_printf(o, "Received: from mail-%s.example.net (mail-%s."
		    "example.net [198.51.100.%u])\n\t(using TLSv1.3 with "
		    "cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n\t key-exchange"
		    " X25519 server-signature RSA-PSS (2048 bits) server-digest "
		    "SHA256)\n\t(No client certificate requested)\n\tby mx%u."
		    "example.fr (Postfix) with ESMTPS id 4T%s\n\tfor <"
		    OWNER_ADDR ">; ", id, id, rnd_n(g, 255), 1 + rnd_n(g, 2), id);
	else if (hop + 1 == nhops) {
		tz = m->from->tz;
		ob_printf(o, "Received: from [10.%u.%u.%u] (host-%u.isp.example"
		    ".net [203.0.113.%u])\n\tby smtp.example.%s with ESMTPSA id "
		    "%s\n\t(version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 "
		    "bits=256/256);\n\t", rnd_n(g, 255), rnd_n(g, 255),
		    rnd_n(g, 255), rnd_n(g, 99999), rnd_n(g, 255),
		    langs[m->from->lang].tld, id);
		ds = DS_PAD;
	} else if (rnd_n(g, 2) == 0)
		ob_printf(o, "Received: from localhost (localhost [127.0.0.1])"
		    "\n\tby relay%u.example.net (Postfix) with ESMTP id %s\n\t"
		    "for <" OWNER_ADDR ">; ", hop, id);
	else {
		tz = m->from->tz;
		ob_printf(o, "Received: from [192.0.2.%u] (helo=out%u.example."
		    "org)\n\tby relay%u.example.org with esmtps (TLS1.3) tls "
		    "TLS_AES_256_GCM_SHA384\n\t(Exim 4.96)\n\t(envelope-from "
		    "<%s>)\n\tid 1r%s-000%u-1C\n\tfor " OWNER_ADDR "; ",
		    rnd_n(g, 255), hop, hop, m->from->addr, id, rnd_n(g, 9));
		ds = DS_PLAIN;
	}
	fmt_date(o, t, tz, ds);
	ob_char(o, '\n');
}

static void
dkim(struct gen *g, struct obuf *o, const struct msg *m, const char *dom)
{
	int	k;

	ob_printf(o, "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n"
	    "        d=%s; s=%s; t=%lld;%s\n        h=from:to:cc:subject:"
	    "date:message-id:in-reply-to:references:\n         mime-version:"
	    "content-type;\n        bh=", dom, m->from->mailer == MA_GMAIL ?
	    "20230601" : "selector1", (long long)m->t,
	    m->from->mailer == MA_GMAIL ? " x=1710000000; darn=example.fr;" :
	    "");
	pool_chars(g, o, 43);
	ob_str(o, "=;\n        b=");
	pool_chars(g, o, 61);
	for (k = 0; k < 4; k++) {
		ob_str(o, "\n         ");
		pool_chars(g, o, 70);
	}
	ob_str(o, "\n         ");
	pool_chars(g, o, 2);
	ob_str(o, "==\n");
}

static void
trace_fields(struct gen *g, struct obuf *o, const struct msg *m)
{
	unsigned	 nhops = 2 + rnd_n(g, 5), h;
	int64_t		 t = m->t;
	const char	*dom = strchr(m->from->addr, '@') + 1;

	if (m->list)
		ob_printf(o, "Return-Path: <%.*s-bounces+jeanne=example.fr@%s>"
		    "\n", (int)(strchr(mlists[m->th->list].addr, '@') -
		    mlists[m->th->list].addr), mlists[m->th->list].addr,
		    strchr(mlists[m->th->list].addr, '@') + 1);
	else
		ob_printf(o, "Return-Path: <%s>\n", m->from->addr);
	ob_str(o, "Delivered-To: " OWNER_ADDR "\n");
	for (h = 0; h < nhops; h++) {
		received(g, o, m, h, nhops, t);
		t -= 1 + rnd_n(g, h + 2 == nhops ? 40 : 4);
	}
	if (chance(g, 800))
		ob_printf(o, "Authentication-Results: mx1.example.fr;\n\tdkim="
		    "pass (2048-bit key; unprotected) header.d=%s header.i=@%s "
		    "header.a=rsa-sha256 header.s=selector1 header.b=%.8s;\n\t"
		    "dmarc=pass (p=none dis=none) header.from=%s;\n\tspf=pass "
		    "(mx1.example.fr: domain of %s designates 198.51.100.7 as "
		    "permitted sender) smtp.mailfrom=%s\n", dom, dom,
		    g->pool + rnd_n(g, 4096), dom, m->from->addr,
		    m->from->addr);
	if (m->from->mailer != MA_MUTT && m->from->mailer != MA_GIT &&
	    chance(g, 850))
		dkim(g, o, m, dom);
	if (m->from->mailer == MA_GMAIL) {
		ob_str(o, "X-Google-DKIM-Signature: v=1; a=rsa-sha256; "
		    "c=relaxed/relaxed;\n        d=1e100.example.net; s=20230601;"
		    " t=1710000000; x=1710604800;\n        h=to:subject:message-"
		    "id:date:from:mime-version:x-gm-message-state\n         :from"
		    ":to:cc:subject:date:message-id:reply-to;\n        bh=");
		pool_chars(g, o, 43);
		ob_str(o, "=;\n        b=");
		pool_chars(g, o, 300);
		ob_str(o, "==\nX-Gm-Message-State: ");
		pool_chars(g, o, 56);
		ob_str(o, "\n\t");
		pool_chars(g, o, 20);
		ob_str(o, "=\nX-Google-Smtp-Source: ");
		pool_chars(g, o, 60);
		ob_str(o, "\n ");
		pool_chars(g, o, 40);
		ob_printf(o, "=\nX-Received: by 2002:a05:6512:%x:b0:%x:%x with "
		    "SMTP id %s;\n        ", rnd_n(g, 65536), rnd_n(g, 4096),
		    rnd_n(g, 65536), "a1-20020a056512");
		fmt_date(o, m->t - 2, m->from->tz, DS_PAD);
		ob_str(o, "\n");
	}
}

/* "Re: [dev] Subject (#1234)": the subject as the sender's mailer writes
 * it. */
static void
subject_field(struct gen *g, struct obuf *o, const struct msg *m)
{
	const struct person	*p = m->from;
	const struct subject	*sj = &g->subjects[m->th->subj];
	bool			 upper = p->mailer == MA_GMAIL ||
				    p->mailer == MA_OUTLOOK;
	int			 cs = p->cs;
	unsigned		 r = rnd_n(g, 1000);

	ob_str(o, "Subject: ");
	if (m->parent != NULL) {
		if (p->mailer == MA_OUTLOOK)
			ob_str(o, p->lang == L_DE ? "AW: " : p->lang == L_PL ?
			    "Odp: " : "RE: ");
		else
			ob_str(o, r < 15 ? "Re: Re: " : r < 40 ? "Fwd: " :
			    "Re: ");
	}
	if (m->th->list >= 0)
		ob_str(o, mlists[m->th->list].prefix);
	/* A charset that cannot hold the subject's language: UTF-8. */
	if (cs != CS_UTF8 && p->lang != sj->lang)
		cs = CS_UTF8;
	if (r >= 980 && r < 997)
		ob_str(o, sj->text);		/* raw UTF-8, undeclared */
	else if (r >= 997 && langs[sj->lang].latin) {
		convert(g, CS_LATIN1, sj->text, strlen(sj->text), &g->tmp);
		ob_put(o, g->tmp.p, g->tmp.len);	/* raw latin-1 */
	} else
		ob_str(o, subject_enc(g, m->th->subj, cs, p->qmode, upper));
	if (m->th->suffix != 0)
		ob_printf(o, " (#%u)", m->th->suffix);
	ob_char(o, '\n');
}

/* Comma-separated mailboxes, folded before a mailbox that would pass
 * column 76. */
static void
address_list(struct gen *g, struct obuf *o, const char *field,
    const struct msg *m, unsigned n, bool owner)
{
	size_t		col = strlen(field) + 2, k;
	const char	*next;

	ob_printf(o, "%s: ", field);
	for (k = 0; k < n; k++) {
		const char	*nl;

		next = k == 0 && owner ? OWNER_NAME " <" OWNER_ADDR ">" :
		    g->people[pick_sender(g, m->from->lang)].mbox;
		if (k > 0) {
			ob_char(o, ',');
			col++;
			if (col + strlen(next) > 76) {
				ob_str(o, "\n\t");
				col = 8;
			} else {
				ob_char(o, ' ');
				col++;
			}
		}
		ob_str(o, next);
		nl = strrchr(next, '\n');
		col = nl != NULL ? strlen(nl) : col + strlen(next);
	}
	ob_char(o, '\n');
}

static void
references(struct gen *g, struct obuf *o, const struct msg *m)
{
	uint32_t	 chain[MAX_DEPTH + 1];
	size_t		 n = 0, k;
	uint32_t	 p = m->rec->parent;
	bool		 cut;

	while (p != UINT32_MAX && n < MAX_DEPTH) {
		if (g->recs[p].msgid != NULL)
			chain[n++] = p;
		p = g->recs[p].parent;
	}
	if (n == 0)
		return;
	/* Gmail keeps the first and the last references of long chains. */
	cut = m->from->mailer == MA_GMAIL && n > 20;
	ob_str(o, "References:");
	for (k = n; k-- > 0; ) {
		/* chain[n - 1] is the oldest; keep it and the 19 newest. */
		if (cut && k != n - 1 && k >= 19)
			continue;
		ob_str(o, k == n - 1 ? " " : "\n ");
		ob_str(o, g->recs[chain[k]].msgid);
	}
	ob_char(o, '\n');
}

static void
date_field(struct gen *g, struct obuf *o, const struct msg *m)
{
	unsigned	r = rnd_n(g, 1000);
	int		style;

	if (r < 4)
		return;			/* no Date: at all */
	if (r < 14)
		style = DS_NVALID + (int)rnd_n(g, DS_N - DS_NVALID);
	else if (m->from->mailer == MA_MUTT || m->from->mailer == MA_GIT)
		style = r < 300 ? DS_PLAIN : r < 600 ? DS_PAD : DS_SPACES;
	else if (r < 780)
		style = DS_PLAIN;
	else
		style = (int)rnd_n(g, DS_NVALID);
	ob_str(o, "Date: ");
	fmt_date(o, m->rec->date, m->from->tz, style);
	ob_char(o, '\n');
}

static void
mailer_fields(struct gen *g, struct obuf *o, const struct msg *m)
{
	const struct lang	*L = &langs[m->from->lang];

	switch (m->from->mailer) {
	case MA_OUTLOOK:
		ob_str(o, "Thread-Topic: ");
		ob_str(o, subject_enc(g, m->th->subj, CS_UTF8, false, true));
		ob_str(o, "\nThread-Index: ");
		pool_chars(g, o, 24 + 5 * m->rec->depth);
		ob_printf(o, "\nAccept-Language: %s, en-US\nContent-Language: "
		    "%s\nX-MS-Has-Attach: %s\nX-MS-TNEF-Correlator:\n"
		    "x-ms-exchange-messagesentrepresentingtype: 1\n"
		    "x-ms-publictraffictype: Email\nx-ms-office365-filtering-"
		    "correlation-id: %08x-%04x-4%03x-a%03x-%08x%04x\n", L->tag,
		    L->tag, m->nattach > 0 ? "yes" : "", rnd_n(g, UINT32_MAX),
		    rnd_n(g, 65536), rnd_n(g, 4096), rnd_n(g, 4096),
		    rnd_n(g, UINT32_MAX), rnd_n(g, 65536));
		break;
	case MA_THUNDERBIRD:
		ob_printf(o, "User-Agent: Mozilla Thunderbird\nContent-Language:"
		    " %s\n", L->tag);
		break;
	case MA_MUTT:
		ob_str(o, "User-Agent: NeoMutt/20220429\n");
		break;
	case MA_APPLE:
		ob_str(o, "X-Mailer: Apple Mail (2.3774.400.31)\n");
		break;
	case MA_GIT:
		ob_str(o, "X-Mailer: git-send-email 2.43.0\n");
		break;
	default:
		break;
	}
}

static void
list_fields(struct obuf *o, const struct msg *m)
{
	const struct mlist	*l = &mlists[m->th->list];

	if (l->desc != NULL)
		ob_printf(o, "List-Id: %s <%s>\n", l->desc, l->id);
	else
		ob_printf(o, "List-Id: <%s>\n", l->id);
	ob_printf(o, "List-Unsubscribe: <mailto:%s?subject=unsubscribe>,\n"
	    " <https://lists.example.org/mailman/options/%s>\n"
	    "List-Archive: <https://lists.example.org/pipermail/%s/>\n"
	    "List-Post: <mailto:%s>\nPrecedence: list\n", l->addr, l->id,
	    l->id, l->addr);
}

static void
main_fields(struct gen *g, struct obuf *o, const struct msg *m)
{
	unsigned	r = rnd_n(g, 100);

	ob_printf(o, "From: %s\n", m->from->mbox);
	if (m->list)
		ob_printf(o, "To: %s\n", mlists[m->th->list].addr);
	else if (r < 2)
		ob_str(o, "To: undisclosed-recipients:;\n");
	else
		address_list(g, o, "To", m, r < 70 ? 1 : 2 + rnd_n(g, 4),
		    true);
	if (m->from->mailer != MA_NEWS && chance(g, m->list ? 500 : 300))
		address_list(g, o, "Cc", m, 1 + rnd_n(g, 5), m->list);
	subject_field(g, o, m);
	date_field(g, o, m);
	if (m->rec->msgid != NULL)
		ob_printf(o, "Message-ID: %s\n", m->rec->msgid);
	if (m->parent != NULL && m->parent->msgid != NULL && chance(g, 980))
		ob_printf(o, "In-Reply-To: %s\n", m->parent->msgid);
	if (m->parent != NULL && (m->from->mailer != MA_OUTLOOK ||
	    chance(g, 700)))
		references(g, o, m);
	if (m->list)
		list_fields(o, m);
	if (m->from->mailer == MA_NEWS)
		ob_printf(o, "List-Unsubscribe: <https://news.example.net/u/%08x"
		    ">\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\n"
		    "Precedence: bulk\nX-Campaign: %u\n", rnd_n(g, UINT32_MAX),
		    rnd_n(g, 100000));
	mailer_fields(g, o, m);
	ob_str(o, "MIME-Version: 1.0\n");
}

/* ------------------------------------------------------------------ */
/* Bodies                                                              */

static size_t
word_width(const char *w)
{
	size_t	n = 0;

	for (; *w != '\0'; w++)
		if (((unsigned char)*w & 0xc0) != 0x80)
			n += (unsigned char)*w >= 0xe0 ? 2 : 1;
	return n;
}

/* Sentences of lang, wrapped at 72 columns with prefix on each line,
 * until about target bytes have been added. */
static void
gen_text(struct gen *g, struct obuf *o, const struct lang *L, size_t target,
    const char *prefix)
{
	size_t		 start = o->len, plen = strlen(prefix), col;
	unsigned	 words = 0, sentences = 0, slen = 6 + rnd_n(g, 12);
	unsigned	 plen_s = 2 + rnd_n(g, 4);

	ob_str(o, prefix);
	col = plen;
	while (o->len - start < target) {
		const char	*w = L->words[rnd_n(g, (uint32_t)L->nwords)];
		size_t		 ww = word_width(w);

		if (col + ww + 1 > 72 && col > plen) {
			ob_char(o, '\n');
			ob_str(o, prefix);
			col = plen;
		} else if (col > plen && !L->nospace) {
			ob_char(o, ' ');
			col++;
		}
		if (words == 0 && *w >= 'a' && *w <= 'z') {
			ob_char(o, *w - 'a' + 'A');
			w++;
		}
		ob_str(o, w);
		col += ww;
		if (++words < slen)
			continue;
		ob_str(o, L->nospace ? "。" : ".");
		col += L->nospace ? 2 : 1;
		words = 0;
		slen = 6 + rnd_n(g, 12);
		if (++sentences < plen_s)
			continue;
		sentences = 0;
		plen_s = 2 + rnd_n(g, 4);
		ob_printf(o, "\n%.*s\n%s", (int)(plen > 0 ? plen - 1 : 0),
		    prefix, prefix);
		col = plen;
	}
	ob_char(o, '\n');
}

/* The text of message m, in UTF-8, into g->text. */
static void
body_text(struct gen *g, const struct msg *m, size_t target)
{
	const struct lang	*L = &langs[m->th->lang];
	struct obuf		*o = &g->text;
	const struct person	*pp = NULL;

	o->len = 0;
	if (m->parent != NULL) {
		pp = &g->people[m->parent->from];
		ob_printf(o, "%s%s%s\n\n", L->hello, pp->hello, L->hello_end);
	}
	gen_text(g, o, L, m->parent != NULL ? target / 3 : target, "");
	if (m->parent != NULL && m->from->mailer == MA_OUTLOOK) {
		ob_printf(o, "\n%s\n%s\n\n-----Original Message-----\nFrom: %s"
		    "\nSent: ", L->bye, m->from->name, pp->name);
		fmt_date(o, m->parent->date, m->from->tz, DS_PLAIN);
		ob_printf(o, "\nTo: %s\nSubject: %s\n\n", OWNER_NAME,
		    g->subjects[m->th->subj].text);
		gen_text(g, o, L, target - target / 3, "");
	} else if (m->parent != NULL) {
		ob_char(o, '\n');
		ob_str(o, L->wrote[0]);
		fmt_date(o, m->parent->date, m->from->tz, DS_NOSEC);
		ob_printf(o, "%s%s%s\n", L->wrote[1], pp->name, L->wrote[2]);
		gen_text(g, o, L, (target - target / 3) / 2, "> ");
		if (m->rec->depth > 1)
			gen_text(g, o, L, (target - target / 3) / 2, ">> ");
		ob_printf(o, "\n%s\n%s\n", L->bye, m->from->name);
	} else
		ob_printf(o, "\n%s\n%s\n", L->bye, m->from->name);
	if (m->from->mailer == MA_MUTT || m->from->mailer == MA_THUNDERBIRD)
		ob_printf(o, "\n-- \n%s <%s>\n", m->from->name, m->from->addr);
}

enum cte { CTE_7BIT, CTE_8BIT, CTE_QP, CTE_B64 };

static const char *const cte_names[] = { "7bit", "8bit",
	"quoted-printable", "base64" };

static enum cte
pick_cte(struct gen *g, const struct msg *m, const struct obuf *raw,
    bool html)
{
	if (m->cs == CS_ISO2022JP)
		return CTE_7BIT;
	if (is_ascii(raw->p, raw->len))
		return html ? CTE_QP : CTE_7BIT;
	if (m->from->mailer == MA_MUTT || m->from->mailer == MA_GIT)
		return CTE_8BIT;
	if (langs[m->th->lang].latin)
		return html || chance(g, 650) ? CTE_QP : CTE_8BIT;
	return chance(g, 500) ? CTE_B64 : html ? CTE_QP : CTE_8BIT;
}

/* A text part from UTF-8 [s, s + n), in m's charset and a fitting
 * transfer encoding. */
static void
text_part(struct gen *g, struct obuf *o, const struct msg *m,
    const char *subtype, const char *s, size_t n, bool flowed)
{
	enum cte	 cte;
	const char	*label = m->upper ? charsets[m->cs].upper :
			    charsets[m->cs].lower;

	convert(g, m->cs, s, n, &g->conv);
	cte = pick_cte(g, m, &g->conv, strcmp(subtype, "html") == 0);
	if (m->upper)
		ob_printf(o, "Content-Type: text/%s; charset=\"%s\"%s\n",
		    subtype, label, flowed ? "; format=flowed" : "");
	else
		ob_printf(o, "Content-Type: text/%s; charset=%s%s\n", subtype,
		    label, flowed ? "; format=flowed" : "");
	ob_printf(o, "Content-Transfer-Encoding: %s\n\n", cte_names[cte]);
	if (cte == CTE_QP)
		qp_encode(o, (const unsigned char *)g->conv.p, g->conv.len);
	else if (cte == CTE_B64)
		b64_encode(o, (const unsigned char *)g->conv.p, g->conv.len,
		    true);
	else
		ob_put(o, g->conv.p, g->conv.len);
}

static const char outlook_head[] =
    "<html xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:o=\"urn:schemas-"
    "microsoft-com:office:office\" xmlns:w=\"urn:schemas-microsoft-com:"
    "office:word\" xmlns:m=\"http://schemas.microsoft.com/office/2004/12/"
    "omml\" xmlns=\"http://www.w3.org/TR/REC-html40\">\n<head>\n<meta "
    "name=\"Generator\" content=\"Microsoft Word 15 (filtered medium)\">\n"
    "<style><!--\n/* Font Definitions */\n@font-face\n\t{font-family:"
    "\"Cambria Math\";\n\tpanose-1:2 4 5 3 5 4 6 3 2 4;}\n@font-face\n\t"
    "{font-family:Calibri;\n\tpanose-1:2 15 5 2 2 2 4 3 2 4;}\n/* Style "
    "Definitions */\np.MsoNormal, li.MsoNormal, div.MsoNormal\n\t{margin:"
    "0cm;\n\tfont-size:11.0pt;\n\tfont-family:\"Calibri\",sans-serif;\n\t"
    "mso-fareast-language:EN-US;}\nspan.EmailStyle17\n\t{mso-style-type:"
    "personal-compose;\n\tfont-family:\"Calibri\",sans-serif;\n\tcolor:"
    "windowtext;}\n.MsoChpDefault\n\t{mso-style-type:export-only;\n\t"
    "font-family:\"Calibri\",sans-serif;}\n@page WordSection1\n\t{size:"
    "612.0pt 792.0pt;\n\tmargin:70.85pt 70.85pt 70.85pt 70.85pt;}\ndiv."
    "WordSection1\n\t{page:WordSection1;}\n--></style>\n</head>\n<body "
    "lang=\"FR\" link=\"#0563C1\" vlink=\"#954F72\" style=\"word-wrap:"
    "break-word\">\n<div class=\"WordSection1\">\n";

static const char news_block[] =
    "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" "
    "cellspacing=\"0\" border=\"0\" style=\"max-width:600px;margin:0 auto;"
    "background-color:#ffffff;font-family:Helvetica,Arial,sans-serif;\">"
    "<tr><td style=\"padding:24px 32px 8px 32px;font-size:20px;line-height:"
    "28px;color:#1a1a1a;font-weight:bold;\">";

static void
html_escape(struct obuf *o, const char *s, size_t n)
{
	size_t	i;

	ob_reserve(o, n + 16);
	for (i = 0; i < n; i++) {
		if (s[i] == '<')
			ob_str(o, "&lt;");
		else if (s[i] == '>')
			ob_str(o, "&gt;");
		else if (s[i] == '&')
			ob_str(o, "&amp;");
		else
			ob_char(o, s[i]);
	}
}

/* The HTML alternative of g->text, as the sender's mailer makes it. */
static void
html_of_text(struct gen *g, struct obuf *o, const struct msg *m)
{
	const char	*s = g->text.p, *end = s + g->text.len, *nl;
	unsigned	 mailer = m->from->mailer;
	bool		 block;

	if (mailer == MA_OUTLOOK)
		ob_str(o, outlook_head);
	else
		ob_printf(o, "<html><head><meta http-equiv=\"Content-Type\" "
		    "content=\"text/html; charset=%s\"></head><body>%s\n",
		    charsets[m->cs].lower, mailer == MA_GMAIL ?
		    "<div dir=\"ltr\">" : "<div>");
	for (; s < end; s = nl + 1) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (nl == NULL)
			nl = end;
		block = mailer == MA_NEWS && rnd_n(g, 8) == 0;
		if (block) {
			ob_str(o, news_block);
			ob_printf(o, "<a href=\"https://click.news.example.net/"
			    "?u=%08x&amp;id=%08x\" style=\"color:#0066cc\">",
			    rnd_n(g, UINT32_MAX), rnd_n(g, UINT32_MAX));
		}
		if (mailer == MA_OUTLOOK)
			ob_str(o, "<p class=\"MsoNormal\"><span lang=\"FR\">");
		html_escape(o, s, (size_t)(nl - s));
		if (block)
			ob_str(o, "</a></td></tr></table>");
		ob_str(o, mailer == MA_OUTLOOK ? "<o:p></o:p></span></p>\n" :
		    "<br>\n");
		if (nl == end)
			break;
	}
	ob_str(o, mailer == MA_OUTLOOK ? "</div>\n</body>\n</html>\n" :
	    "</div></body></html>\n");
}

/* A MIME boundary in the style of the mailer, into b[BOUNDARY_SIZE]. */
#define BOUNDARY_SIZE	64

static void
boundary(struct gen *g, char *b, unsigned mailer)
{
	const char	*pre, *set;
	size_t		 n, k;

	if (mailer == MA_GMAIL) {
		pre = "000000000000";
		set = "0123456789abcdef";
		n = 12;
	} else if (mailer == MA_OUTLOOK) {
		pre = "_000_AM6PR04MB";
		set = "0123456789ABCDEF";
		n = 28;
	} else if (mailer == MA_APPLE) {
		pre = "Apple-Mail=_";
		set = "0123456789ABCDEF";
		n = 32;
	} else {
		pre = "------------";
		set = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKL";
		n = 24;
	}
	k = fct_strlcpy(b, pre, BOUNDARY_SIZE);
	while (n-- > 0)
		b[k++] = set[rnd_n(g, (uint32_t)strlen(set))];
	if (mailer == MA_OUTLOOK)
		b[k++] = '_';
	b[k] = '\0';
}

static void
alternative(struct gen *g, struct obuf *o, const struct msg *m)
{
	char	b[BOUNDARY_SIZE];

	boundary(g, b, m->from->mailer);
	ob_printf(o, "Content-Type: multipart/alternative; boundary=\"%s\"\n"
	    "\n--%s\n", b, b);
	text_part(g, o, m, "plain", g->text.p, g->text.len, false);
	ob_printf(o, "\n--%s\n", b);
	g->html.len = 0;
	html_of_text(g, &g->html, m);
	text_part(g, o, m, "html", g->html.p, g->html.len, false);
	ob_printf(o, "\n--%s--\n", b);
	g->nhtml++;
}

#define MAGIC(s)	s, sizeof(s) - 1

static const struct atype {
	const char	*ctype;
	const char	*ext;
	const char	*magic;		/* first bytes of such files */
	size_t		 mlen;
} atypes[] = {
	{ "application/pdf", "pdf", MAGIC("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n") },
	{ "image/jpeg", "jpg", MAGIC("\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01") },
	{ "image/png", "png", MAGIC("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR") },
	{ "application/vnd.openxmlformats-officedocument.wordprocessingml."
	    "document", "docx", MAGIC("PK\x03\x04\x14\0\x06\0\x08\0\0\0") },
	{ "application/zip", "zip", MAGIC("PK\x03\x04\x14\0\0\0\x08\0\0\0") },
};

/* "filename*=utf-8''R%C3%A9sum%C3%A9.pdf" (RFC 2231). */
static void
rfc2231(struct obuf *o, const char *s)
{
	static const char	hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char	c = (unsigned char)*s;

		if (q_plain(c) || c == '.' || c == '_')
			ob_char(o, c);
		else
			ob_printf(o, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
}

static void
attachment(struct gen *g, struct obuf *o, const struct msg *m)
{
	const struct atype	*a = &atypes[rnd_n(g, NELEM(atypes))];
	const struct lang	*L = &langs[m->th->lang];
	size_t			 size = rnd_logsize(g, 20000, 300000), len, n;
	struct obuf		 name = { 0 }, magic = { 0 };
	bool			 up = m->upper;

	if (a->ext[0] == 'j' || a->ext[1] == 'n')
		ob_printf(&name, "IMG_%04u.%s", rnd_n(g, 10000), a->ext);
	else
		ob_printf(&name, "%s_%u.%s", L->files[rnd_n(g,
		    (uint32_t)L->nfiles)], 2019 + rnd_n(g, 6), a->ext);
	ob_printf(o, "Content-Type: %s; name=\"", a->ctype);
	encode_words(g, o, name.p, CS_UTF8, true, false);
	ob_str(o, "\"\nContent-Disposition: attachment;");
	if (is_ascii(name.p, name.len))
		ob_printf(o, " filename=\"%s\"", name.p);
	else if (up) {
		ob_str(o, "\n filename=\"");
		encode_words(g, o, name.p, CS_UTF8, true, false);
		ob_char(o, '"');
	} else {
		ob_str(o, "\n filename*=utf-8''");
		rfc2231(o, name.p);
	}
	if (m->from->mailer == MA_GMAIL)
		ob_printf(o, "\nContent-ID: <f_%08x>\nX-Attachment-Id: f_%08x",
		    (unsigned)m->idx, (unsigned)m->idx);
	ob_str(o, "\nContent-Transfer-Encoding: base64\n\n");
	/* The magic bytes, then random base64 in 76-character lines. */
	b64_encode(&magic, (const unsigned char *)a->magic,
	    a->mlen - a->mlen % 3, false);
	ob_put(o, magic.p, magic.len);
	pool_chars(g, o, 76 - magic.len);
	ob_char(o, '\n');
	for (len = 57; len < size; len += 57) {
		n = size - len >= 57 ? 76 : (size - len + 2) / 3 * 4;
		pool_chars(g, o, n);
		ob_char(o, '\n');
	}
	free(name.p);
	free(magic.p);
}

static void
mixed(struct gen *g, struct obuf *o, const struct msg *m, bool html)
{
	char		b[BOUNDARY_SIZE];
	unsigned	k;

	boundary(g, b, m->from->mailer);
	ob_printf(o, "Content-Type: multipart/mixed; boundary=\"%s\"\n\n%s"
	    "--%s\n", b, m->from->mailer == MA_THUNDERBIRD ? "This is a "
	    "multi-part message in MIME format.\n" : "", b);
	if (html)
		alternative(g, o, m);
	else
		text_part(g, o, m, "plain", g->text.p, g->text.len, false);
	for (k = 0; k < m->nattach; k++) {
		ob_printf(o, "\n--%s\n", b);
		attachment(g, o, m);
	}
	ob_printf(o, "\n--%s--\n", b);
	g->attached++;
}

static void
body(struct gen *g, struct obuf *o, struct msg *m)
{
	unsigned	 mailer = m->from->mailer, r = rnd_n(g, 100);
	size_t		 target;
	bool		 html;

	if (mailer == MA_NEWS)
		target = rnd_logsize(g, 3000, 40000);
	else if (r < 6)
		target = 150 + rnd_n(g, 700);		/* "Thanks!" */
	else if (r < 96)
		target = rnd_logsize(g, 1000, 20000);
	else
		target = rnd_logsize(g, 20000, 80000);
	body_text(g, m, target);
	html = mailer == MA_NEWS || (mailer == MA_GMAIL && chance(g, 500)) ||
	    (mailer == MA_OUTLOOK && chance(g, 800)) ||
	    (mailer == MA_APPLE && chance(g, 400)) ||
	    (mailer == MA_THUNDERBIRD && chance(g, 200));
	if (m->nattach > 0)
		mixed(g, o, m, html);
	else if (html)
		alternative(g, o, m);
	else
		text_part(g, o, m, "plain", g->text.p, g->text.len,
		    mailer == MA_THUNDERBIRD && chance(g, 400));
}

/* ------------------------------------------------------------------ */
/* One message                                                         */

static const char *
pick_flags(struct gen *g, size_t k)
{
	unsigned	r = rnd_n(g, 1000);

	/* The latest mail is often unread. */
	if (k * 20 >= g->n * 19 && r < 500)
		return "";
	if (r < 800)
		return "S";
	if (r < 890)
		return "RS";
	if (r < 920)
		return "FS";
	if (r < 926)
		return "F";
	if (r < 936)
		return "PS";
	if (r < 946)
		return "ST";
	if (r < 950)
		return "FRS";
	return "";
}

static int
write_file(int dfd, const char *name, const struct obuf *o, int64_t t)
{
	struct timespec	ts[2];
	size_t		off = 0;
	int		fd;

	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd == -1)
		return -1;
	while (off < o->len) {
		ssize_t	w = write(fd, o->p + off, o->len - off);

		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1) {
			(void)close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	/* mtime at delivery, as a delivery agent leaves it. */
	ts[0].tv_sec = ts[1].tv_sec = (time_t)t;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	(void)futimens(fd, ts);
	return close(fd);
}

/* Store g->out as written message k: "SECS.MmicrosPpidQn.host,S=SIZE:2,F". */
static void
store(struct gen *g, int cur, int new, size_t k, int64_t t)
{
	bool		 in_new = k * 100 >= g->n * 92 && chance(g, 250);
	const char	*flags = in_new ? NULL : pick_flags(g, k);
	char		 name[256];
	unsigned	 micros = rnd_n(g, 1000000);

	if (chance(g, 30)) {		/* another delivery process */
		g->pid = 1000 + rnd_n(g, 4000000);
		g->q = 0;
	}
	for (;;) {
		(void)snprintf(name, sizeof(name), "%lld.M%uP%uQ%u.%s,S=%zu%s%s",
		    (long long)t, micros, g->pid, ++g->q, HOST, g->out.len,
		    in_new ? "" : ":2,", in_new ? "" : flags);
		if (write_file(in_new ? new : cur, name, &g->out, t) == 0)
			break;
		if (errno != EEXIST)
			die("%s", name);
	}
	g->bytes += g->out.len;
	g->in_new += in_new;
}

static void
make_message(struct gen *g, uint32_t idx, size_t k, int cur, int new)
{
	struct mrec	*r = &g->recs[idx];
	struct msg	 m = { 0 };
	int64_t		 span = T_END - T_START;

	m.idx = idx;
	m.rec = r;
	m.from = &g->people[r->from];
	m.th = &g->threads[r->thread];
	m.parent = r->parent != UINT32_MAX ? &g->recs[r->parent] : NULL;
	m.t = T_START + (int64_t)((double)k * (double)span / (double)g->n) +
	    rnd_n(g, (uint32_t)(span / (int64_t)g->n + 1));
	m.list = m.th->list >= 0;
	m.upper = m.from->mailer == MA_GMAIL || m.from->mailer == MA_OUTLOOK;
	m.cs = m.from->cs != CS_UTF8 && m.from->lang == m.th->lang ?
	    m.from->cs : CS_UTF8;
	m.nattach = m.from->mailer != MA_NEWS && m.from->mailer != MA_GIT &&
	    chance(g, 118) ? 1 + (chance(g, 200) ? rnd_n(g, 3) : 0) : 0;
	g->out.len = 0;
	trace_fields(g, &g->out, &m);
	main_fields(g, &g->out, &m);
	body(g, &g->out, &m);
	store(g, cur, new, k, m.t);
	r->written = true;
	if (m.parent != NULL)
		g->recs[r->parent].has_child = true;
	if (r->depth > g->max_depth)
		g->max_depth = r->depth;
}

/* Plan the next message: a newsletter, a reply or a new conversation. */
static uint32_t
plan(struct gen *g, size_t k)
{
	uint32_t	 idx = new_rec(g);
	struct mrec	*r = &g->recs[idx];
	int64_t		 span = T_END - T_START;
	unsigned	 d = rnd_n(g, 1000);

	if (chance(g, 70))
		plan_root(g, idx, true);
	else if (g->nactive > 0 && chance(g, 500))
		plan_reply(g, idx);
	else
		plan_root(g, idx, false);
	/* Date: a little before delivery; some clocks are off. */
	r->date = T_START + (int64_t)((double)k * (double)span /
	    (double)g->n) - (d < 950 ? 1 + (int64_t)rnd_n(g, 300) :
	    d < 990 ? (int64_t)rnd_n(g, 86400) : -(int64_t)rnd_n(g, 86400 *
	    30));
	if (r->parent != UINT32_MAX && r->date <= g->recs[r->parent].date)
		r->date = g->recs[r->parent].date + 60 + rnd_n(g, 7200);
	if (!chance(g, 3))
		make_msgid(g, r, &g->people[r->from]);
	else if (g->nrecs > 1 && chance(g, 400)) {	/* a duplicate id */
		const char	*dup = g->recs[rnd_n(g, idx)].msgid;

		r->msgid = xstrdup(dup != NULL ? dup : "<dup@example.org>");
	}
	return idx;
}

/* ------------------------------------------------------------------ */
/* Setup                                                               */

static void
open_charsets(struct gen *g)
{
	int	cs;

	for (cs = 1; cs < CS_N; cs++) {
		char	to[64];

		(void)snprintf(to, sizeof(to), "%s//TRANSLIT",
		    charsets[cs].lower);
		g->cd[cs] = iconv_open(to, "UTF-8");
		if (g->cd[cs] == (iconv_t)-1)
			die("iconv_open %s", charsets[cs].lower);
	}
}

static void
make_pool(struct gen *g)
{
	size_t	i;

	g->pool = xmalloc(POOL_SIZE + 1);
	for (i = 0; i < POOL_SIZE; i++)
		g->pool[i] = b64chars[rnd(g) >> 58];
	g->pool[POOL_SIZE] = '\0';
}

static void
mkdir_p(const char *path)
{
	char	*p = xstrdup(path), *s;

	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		{
			char	c = *s;

			*s = '\0';
			if (mkdir(p, 0755) == -1 && errno != EEXIST)
				die("mkdir %s", p);
			*s = c;
		}
		if (*s == '\0')
			break;
	}
	free(p);
}

/* Open DIR/sub, creating it; it must hold no messages yet. */
static int
open_sub(const char *dir, const char *sub)
{
	char		 path[4096];
	DIR		*d;
	struct dirent	*de;
	int		 fd;

	if (fct_snprintf(path, sizeof(path), "%s/%s", dir, sub) == -1)
		diex("%s: path too long", dir);
	mkdir_p(path);
	d = opendir(path);
	if (d == NULL)
		die("%s", path);
	for (de = readdir(d); de != NULL; de = readdir(d))
		if (de->d_name[0] != '.')
			diex("%s is not empty", path);
	(void)closedir(d);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		die("%s", path);
	return fd;
}

static void
usage(void)
{
	(void)fprintf(stderr, "usage: gen_maildir [-s seed] count dir\n");
	exit(2);
}

static void
summary(const struct gen *g, double secs)
{
	size_t	i, threaded = 0, written = 0;

	for (i = 0; i < g->nrecs; i++) {
		if (!g->recs[i].written)
			continue;
		written++;
		threaded += g->recs[i].parent != UINT32_MAX ||
		    g->recs[i].has_child;
	}
	printf("%zu messages, %.1f MB, %.1f%% in threads (deepest %zu), "
	    "%.1f%% with attachments, %.1f%% with HTML, %.1f%% in new/, "
	    "%zu not in the folder; %.1f s\n", written,
	    (double)g->bytes / 1e6, 100.0 * (double)threaded / (double)written,
	    g->max_depth, 100.0 * (double)g->attached / (double)written,
	    100.0 * (double)g->nhtml / (double)written,
	    100.0 * (double)g->in_new / (double)written, g->lost, secs);
}

static void
cleanup(struct gen *g)
{
	size_t	i, c, q;

	for (i = 0; i < NPEOPLE; i++) {
		free(g->people[i].mbox);
		free(g->people[i].name);
		free(g->people[i].addr);
	}
	for (i = 0; i < g->nsubjects; i++)
		for (c = 0; c < CS_N; c++)
			for (q = 0; q < 2; q++)
				free(g->subjects[i].enc[c][q]);
	for (i = 0; i < g->nrecs; i++)
		free(g->recs[i].msgid);
	for (c = 1; c < CS_N; c++)
		(void)iconv_close(g->cd[c]);
	free(g->people);
	free(g->subjects);
	free(g->recs);
	free(g->threads);
	free(g->pool);
	free(g->out.p);
	free(g->text.p);
	free(g->conv.p);
	free(g->tmp.p);
	free(g->html.p);
}

int
main(int argc, char **argv)
{
	struct gen	 g = { 0 };
	uint64_t	 seed = 1;
	struct timespec	 t0, t1;
	size_t		 k, i;
	int		 c, cur, new;
	char		*end;

	for (c = getopt(argc, argv, "s:"); c != -1;
	    c = getopt(argc, argv, "s:")) {
		if (c != 's')
			usage();
		seed = strtoull(optarg, &end, 10);
		if (*optarg == '\0' || *end != '\0')
			usage();
	}
	if (argc - optind != 2)
		usage();
	g.n = (size_t)strtoul(argv[optind], &end, 10);
	if (*end != '\0' || g.n == 0 || g.n > 50000000)
		usage();
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	mkdir_p(argv[optind + 1]);
	cur = open_sub(argv[optind + 1], "cur");
	new = open_sub(argv[optind + 1], "new");
	(void)close(open_sub(argv[optind + 1], "tmp"));
	seed_rng(&g, seed);
	open_charsets(&g);
	make_pool(&g);
	make_subjects(&g);
	g.people = xcalloc(NPEOPLE, sizeof(*g.people));
	for (i = 0; i < NPEOPLE; i++)
		make_person(&g, &g.people[i], i);
	g.pid = 1000 + rnd_n(&g, 4000000);
	for (k = 0; k < g.n; ) {
		uint32_t	idx = plan(&g, k);

		/* Some messages never reached this folder (sent mail,
		 * deleted): replies to them point to nothing here. */
		if (chance(&g, 20)) {
			g.lost++;
			continue;
		}
		make_message(&g, idx, k++, cur, new);
	}
	(void)close(cur);
	(void)close(new);
	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	summary(&g, (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	cleanup(&g);
	return 0;
}

/* numbers.h - wallet account and transfer numbers: building them, checking them as typed. */
#ifndef CGI_NUMBERS_H
#define CGI_NUMBERS_H

#include <stddef.h>

/*
 * Both kinds of number end in a Luhn (mod 10) check digit. Luhn catches every single-digit
 * error and every adjacent transposition except 09 <-> 90, which are the mistakes people make
 * when they read a number aloud or copy it by hand; it is the scheme people already know from
 * card numbers, and cards need it anyway (card.c), so there is one algorithm to trust.
 * ISO 7064 MOD 11-10 was considered for transfer numbers and gives nothing more: it also
 * catches every single-digit error, and misses about the same share (2%) of adjacent
 * transpositions, only scattered over the digits instead of one known pair.
 *
 * Only ASCII digits count as digits: full-width or other Unicode digits are rejected, not
 * folded, so what we store is what we show.
 *
 * The _valid and _parse functions of a kind accept exactly the same texts: a form can check
 * with one and the handler read with the other.
 */

/* Luhn */

/**
 * 1 if the n ASCII digits (at least two: a payload and its check digit) pass the Luhn check,
 * else 0 (also for any byte that is not an ASCII digit).
 */
int numbers_luhn_ok(const char *digits, size_t n);
/**
 * The Luhn check digit (0..9) to append to the n ASCII digits, or -1 if a byte is not an
 * ASCII digit.
 */
int numbers_luhn_digit(const char *digits, size_t n);

/**
 * Read the digits of s (length n) as people type long numbers: ASCII digits, in groups
 * separated by one space or one hyphen ("4242 4242 4242 4242", "123-456-7890"), with spaces,
 * tabs and line ends around them ignored. Writes the digits and a NUL to out (size bytes) and
 * their count to *len. Returns 0, or -1 (out is then "") for any other byte, a separator that
 * is doubled or not between two digits, no digits, or more than size - 1 digits.
 */
int numbers_ungroup(const char *s, size_t n, char *out, size_t size, size_t *len);

/* Wallet account numbers: 9 digits of serial, zero-padded, then the check digit. */

#define NUMBERS_ACCOUNT_LEN 10
/** Largest serial plus one: serials have 9 digits. */
#define NUMBERS_ACCOUNT_SERIALS 1000000000ULL

/**
 * Write the account number of serial (< NUMBERS_ACCOUNT_SERIALS; a larger one is a bug in the
 * caller and aborts) to out: 10 digits and a NUL.
 */
void numbers_account(char out[11], unsigned long long serial);
/**
 * 1 if s (length n) is an account number: 10 ASCII digits with the right check digit, and
 * optionally written in groups as people type them ("123 456 7890", "123-456-7890"; see
 * numbers_ungroup for the exact rule). 0 otherwise.
 */
int numbers_account_valid(const char *s, size_t n);
/**
 * Normalise the account number s (length n, as numbers_account_valid accepts it) to its 10
 * digits and a NUL in out. Returns 0, or -1 (out is then "") if s is not an account number.
 */
int numbers_account_parse(const char *s, size_t n, char out[11]);

/*
 * Transfer numbers: "T", the date YYYYMMDD, a 6-digit sequence within that day, and a Luhn
 * check digit over the 14 digits, e.g. "T202611250001237". The year is 2000..9999: no
 * transfer predates the wallet.
 */

#define NUMBERS_TRANSFER_LEN 16
/** Largest daily sequence plus one. */
#define NUMBERS_TRANSFER_SEQS 1000000U

/**
 * Write the number of transfer seq (< NUMBERS_TRANSFER_SEQS) of day y-m-d to out: 16
 * characters and a NUL. A date that numbers_transfer_valid would reject, or a larger seq, is a
 * bug in the caller and aborts.
 */
void numbers_transfer(char out[17], int y, int m, int d, unsigned seq);
/**
 * 1 if s (length n) is a transfer number: "T" or "t", exactly 15 ASCII digits, a real date
 * (Gregorian leap years) and the right check digit. Spaces, tabs and line ends around it are
 * ignored (pasted text), nothing inside it is. 0 otherwise.
 */
int numbers_transfer_valid(const char *s, size_t n);
/**
 * Normalise the transfer number s (length n, as numbers_transfer_valid accepts it): trimmed,
 * with an upper-case "T", and a NUL, in out. Returns 0, or -1 (out is then "").
 */
int numbers_transfer_parse(const char *s, size_t n, char out[17]);

#endif

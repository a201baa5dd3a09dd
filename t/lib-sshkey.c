/*
 * lib-sshkey.c: unit tests for lib/sshkey.c (private key file types).
 * SPDX-License-Identifier: MIT
 *
 * The keys below are throwaway test keys, made once for this file with
 * OpenSSH 9.2's ssh-keygen (-C hopkit-test; the passphrase, where there is
 * one, is "test-pass") and kept verbatim, so the code is held to what
 * ssh-keygen really writes.  They protect nothing; never use them.  Every
 * input is handed over as an exact-size heap copy with no NUL after it, so
 * ASan sees any read past the length.  Crafted openssh-key-v1 containers
 * are base64-encoded with OpenSSL here, not with the code under test.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "basic.h"
#include "sshkey.h"

/* ssh-keygen -t ed25519 -N '' */
static const char ED25519[] =
	"-----BEGIN OPENSSH PRIVATE KEY-----\n"
	"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
	"QyNTUxOQAAACCv68Xw3z7QE0qmw8uaU96uRQBuB3kFAVqdAIFbR/63mQAAAJDoQHhj6EB4\n"
	"YwAAAAtzc2gtZWQyNTUxOQAAACCv68Xw3z7QE0qmw8uaU96uRQBuB3kFAVqdAIFbR/63mQ\n"
	"AAAEBBKyRz97GpiAR48i8QW3+CdApI4hUulqTuEQEGEOuZuK/rxfDfPtATSqbDy5pT3q5F\n"
	"AG4HeQUBWp0AgVtH/reZAAAAC2hvcGtpdC10ZXN0AQI=\n"
	"-----END OPENSSH PRIVATE KEY-----\n";

/* ssh-keygen -t ed25519 -N test-pass */
static const char ED25519_ENC[] =
	"-----BEGIN OPENSSH PRIVATE KEY-----\n"
	"b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABBa/G3aFT\n"
	"GVyoWgytkLOhm1AAAAEAAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIMAf208KeXlyRLVe\n"
	"XrMoIhYdRPXEfW+6svAIh5Przl87AAAAkDOU4b6S8+FLmbuhivZmvmr/b3B5z3zSChO02g\n"
	"4UsguA5OX6Em2HtaMDjQ3Q3RJFop8NPS28fGBo4/UAnZhJvXKm4npDhzkPQwzDWHy+/t6x\n"
	"hOmqd4wj26ZE/DklNnTOEINJp9q9KWCWGgc2qDoXca3lHJmSkxTyxnr6E2PfxrnssF3yQU\n"
	"zd1s4RxTeBsLPX/Q==\n"
	"-----END OPENSSH PRIVATE KEY-----\n";

/* ssh-keygen -t ecdsa -b 256 -N '' */
static const char EC256[] =
	"-----BEGIN OPENSSH PRIVATE KEY-----\n"
	"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAaAAAABNlY2RzYS\n"
	"1zaGEyLW5pc3RwMjU2AAAACG5pc3RwMjU2AAAAQQSD2PsivLJ5/64CcOLEPfktO69nieFt\n"
	"Pd02hKxLbZEOh0VhSwLrLWLDfroPYUTHFRfZUmHmgrxCff2U3SDFJf1aAAAAqIQj2QKEI9\n"
	"kCAAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBIPY+yK8snn/rgJw\n"
	"4sQ9+S07r2eJ4W093TaErEttkQ6HRWFLAustYsN+ug9hRMcVF9lSYeaCvEJ9/ZTdIMUl/V\n"
	"oAAAAgUE7SCTZdm5+6GuRLGbARy9oOc2tw6ezic9Q2ktCKcuQAAAALaG9wa2l0LXRlc3QB\n"
	"AgMEBQ==\n"
	"-----END OPENSSH PRIVATE KEY-----\n";

/* ssh-keygen -t ecdsa -b 256 -N test-pass */
static const char EC256_ENC[] =
	"-----BEGIN OPENSSH PRIVATE KEY-----\n"
	"b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABAAOdBsiF\n"
	"jNKjm5svEdD+AMAAAAEAAAAAEAAABoAAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlz\n"
	"dHAyNTYAAABBBCBDcdC6sdGpVlwcCzFfE6wmpN7CzkKfyqvesolyPQkoElrpk3qUtKhVTM\n"
	"4012AU6PRnjK9FFQxUINQHaorJF7EAAACw+VE0RTYCWjYxqWesn1IW/6Ns66t1Qz5WZPkW\n"
	"yxAB3atXgrRdvIxxbkFwIt+daHZyLayDJL0QnuC/g8zVsP4V7SpEQWzjYS6muS+6Uhuecb\n"
	"THi0ZW6Hv94oJeKMH0NBPgSjewpHUoVCKx6A+yyVyA1JhapuWaRynTGfmBVs/lvNkGP0Yo\n"
	"DbgscnR66PkvPxEIWPR3AEXAjzDEB5l9ttxbjKjC5I3mylcq5wnq4ZTMnw0=\n"
	"-----END OPENSSH PRIVATE KEY-----\n";

/* ssh-keygen -t ecdsa -b 384 -N '' */
static const char EC384[] =
	"-----BEGIN OPENSSH PRIVATE KEY-----\n"
	"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAiAAAABNlY2RzYS\n"
	"1zaGEyLW5pc3RwMzg0AAAACG5pc3RwMzg0AAAAYQTprWWj7iIBOalM3bAMK8CvdxTXiuAU\n"
	"rUj8U4YK4s3vZb+Y7WJ70H04sSImlWKtCiULSzQM3QPY95R30jF96Kf8VFIcGp28iiVC/C\n"
	"rDc+xWxoF3AnbyyS52y0hMj0eSgdUAAADY5+i8tOfovLQAAAATZWNkc2Etc2hhMi1uaXN0\n"
	"cDM4NAAAAAhuaXN0cDM4NAAAAGEE6a1lo+4iATmpTN2wDCvAr3cU14rgFK1I/FOGCuLN72\n"
	"W/mO1ie9B9OLEiJpVirQolC0s0DN0D2PeUd9Ixfein/FRSHBqdvIolQvwqw3PsVsaBdwJ2\n"
	"8skudstITI9HkoHVAAAAMQDrEOAAFBojHX8qYPFwa53dMST9eMI6EY4UZ9Tc+Lp0kbUWa+\n"
	"/8+P8sb3OTovlsmRgAAAALaG9wa2l0LXRlc3QBAgME\n"
	"-----END OPENSSH PRIVATE KEY-----\n";

/* ssh-keygen -t ecdsa -b 384 -N test-pass */
static const char EC384_ENC[] =
	"-----BEGIN OPENSSH PRIVATE KEY-----\n"
	"b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABCfHGu6pD\n"
	"L84wIaHyxDaXe0AAAAEAAAAAEAAACIAAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlz\n"
	"dHAzODQAAABhBPT2zOJCiH+6dVsrkB1Je2sDIdhHlOHLKTUG0m0QXwZAnQq8FFw4jHfkXc\n"
	"CEswdTiKqivvznBAp2qx5S2LxHD5Z1/PV1Nru/qFLfQkEX/G+Ci1E4D7IpUPV4kDkBLofa\n"
	"PgAAAODQZoUHOI/V5R5UQovpct9SyhKfna5PToOKhpeHaijIznyb2uVQuAeg9hhgIkWAGS\n"
	"a+Az+l4u6EjBbQVE7gf719nCNSrmRqUzqn1t1EYiIg1erb9HzeyTCZx3+AMT+tm+SEnlOD\n"
	"jKsvE/PgA8+z5yUmPxeCOhLs1vebtLLZYQ7D6TDbcmWnpYegZp3QplzSvciz18+IRx+yA/\n"
	"g9+m270idRb087fCdamb6QlHEIy10K4ECg4Faw0VGYZ0QZiW5Os0IdULtyH5Ndckkt7gMQ\n"
	"VmuI7vlIBun3kzTpo++FOVM+Jg==\n"
	"-----END OPENSSH PRIVATE KEY-----\n";

/* ssh-keygen -t ecdsa -b 521 -N '' */
static const char EC521[] =
	"-----BEGIN OPENSSH PRIVATE KEY-----\n"
	"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAArAAAABNlY2RzYS\n"
	"1zaGEyLW5pc3RwNTIxAAAACG5pc3RwNTIxAAAAhQQBW6Ik5LZkk4AylwtSxdb2vYO+QCpi\n"
	"tP4tNWms79yN+1/6mT8coQoZNFNRsAAApWseHcdoDo4yZiRLi9hT+3Xo81YAAyMKWYZ4Sw\n"
	"alYB0ovBKNBgG1Z/HLaZ+PUO6quHajgP2as/3v5hxG2rPZy7Re0P3L4SUkfGYmDcSyfmuF\n"
	"jFbU6qQAAAEIFSTCkxUkwpMAAAATZWNkc2Etc2hhMi1uaXN0cDUyMQAAAAhuaXN0cDUyMQ\n"
	"AAAIUEAVuiJOS2ZJOAMpcLUsXW9r2DvkAqYrT+LTVprO/cjftf+pk/HKEKGTRTUbAAAKVr\n"
	"Hh3HaA6OMmYkS4vYU/t16PNWAAMjClmGeEsGpWAdKLwSjQYBtWfxy2mfj1Duqrh2o4D9mr\n"
	"P97+YcRtqz2cu0XtD9y+ElJHxmJg3Esn5rhYxW1OqkAAAAQWlJFrvHA3XwUe4ILrhR2BYS\n"
	"6IQNOyCOo5VwxatAUtR1gYIJbHyV2tjEc4WxR/GAk26UadrNzXTnjoWRKApoNCzkAAAAC2\n"
	"hvcGtpdC10ZXN0\n"
	"-----END OPENSSH PRIVATE KEY-----\n";

/* ssh-keygen -t ecdsa -b 521 -N test-pass */
static const char EC521_ENC[] =
	"-----BEGIN OPENSSH PRIVATE KEY-----\n"
	"b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABBRyFcKT4\n"
	"Z0W37Cup33YTjQAAAAEAAAAAEAAACsAAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlz\n"
	"dHA1MjEAAACFBAE5dGaqLmAwO6+MVjfpkWT9Z+NEs+7TATE4rUK0sXh/qlGvCR0Cdm9nKG\n"
	"XiODzis+zUr3uji+2+GoAwworNLd3InwHI0Ex2049sHpZuKG6/jzNy/DgfJQVu604cIoZX\n"
	"E8mkuBj0NGStf05FaPv16E21PBXiSXigM2qvL6xFJpaV+75SdgAAARCi+3fwb64C9S/BLe\n"
	"pceK4RMIkMvIan9lbId74kQ8UG2S2z1I+0CO2ailgWZ5fkSg+a9QdfR2dsE9V1zdrIrDDe\n"
	"MiqzlcVxWPUlgxP8JaYDZhPxMZq2iiNdvRHwH8NAlBIQUgh6Tm1ZbzcFUWbvmp7kUXP2MX\n"
	"hAVokLdrVZogq2j7VRA714Bzju1Zl8tFQ4e/y3SZjLSGokP6x6rhNGfdaCxna+Eyvsf0+V\n"
	"nbE3ZllCVol8bGrq+xa+Z1qlHjiOi87IBxwEWfno2g4JD+6rx2umwnVBeu3w0qToo/9rXc\n"
	"+eQGlJPgwrFZ4WYBcLwvrgsVxrJnPU+/CWpIp4HSMOLt8NXzMdMbQbUI6TEfPVcidrhA==\n"
	"-----END OPENSSH PRIVATE KEY-----\n";

/* ssh-keygen -t rsa -b 3072 -N '' */
static const char RSA3072[] =
	"-----BEGIN OPENSSH PRIVATE KEY-----\n"
	"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAABlwAAAAdzc2gtcn\n"
	"NhAAAAAwEAAQAAAYEAkt7Wpo7Qof624Fn/N1d1Gnq4rlNBYMSNvBYZg+Rd9tW3Zzq59tNi\n"
	"vT1DyXxKV7ZlGRBOhuJ5ObsCPmaSFd6oeAYD01FIu2cQTzNRXEOv3GrxvA25g7wKoTxUOg\n"
	"Tywg99d9YA68NGYF9UEnfqPU023RGeDQ92EpwAWMAvmPJpQqA5Bpu+cjEzEpDmh53KK5ZP\n"
	"nPwPskw47jC2fHwyoIgg8OyIzVgy88QQR2/1Ls9rvjKot780TPDrJwJsTPqyBEek1cF4iv\n"
	"fTURQ8jx7tm0sYwWyLTa+Q7OczHnHOcDB9Uejsby03PdjXh05WT77Gn2Huftl0EdrZ//D0\n"
	"twyHmS2+L6p3ahOS0bsYNTho+/rDiN5YT+teiWiX59MX9GF6h6X9D+lNP4d54IGSMYSy7t\n"
	"dWBtnI+VpnztDvaTxJicx1Mh8AjB7r7b7idURfxAIRYv95iHZGlSEp5bRfq7R8n6cqRB8X\n"
	"9u1UiKIuHm/F+xLqexa7pn6jCWk8uM4kxLWmUA3xAAAFiJlZH3iZWR94AAAAB3NzaC1yc2\n"
	"EAAAGBAJLe1qaO0KH+tuBZ/zdXdRp6uK5TQWDEjbwWGYPkXfbVt2c6ufbTYr09Q8l8Sle2\n"
	"ZRkQTobieTm7Aj5mkhXeqHgGA9NRSLtnEE8zUVxDr9xq8bwNuYO8CqE8VDoE8sIPfXfWAO\n"
	"vDRmBfVBJ36j1NNt0Rng0PdhKcAFjAL5jyaUKgOQabvnIxMxKQ5oedyiuWT5z8D7JMOO4w\n"
	"tnx8MqCIIPDsiM1YMvPEEEdv9S7Pa74yqLe/NEzw6ycCbEz6sgRHpNXBeIr301EUPI8e7Z\n"
	"tLGMFsi02vkOznMx5xznAwfVHo7G8tNz3Y14dOVk++xp9h7n7ZdBHa2f/w9LcMh5ktvi+q\n"
	"d2oTktG7GDU4aPv6w4jeWE/rXolol+fTF/Rheoel/Q/pTT+HeeCBkjGEsu7XVgbZyPlaZ8\n"
	"7Q72k8SYnMdTIfAIwe6+2+4nVEX8QCEWL/eYh2RpUhKeW0X6u0fJ+nKkQfF/btVIiiLh5v\n"
	"xfsS6nsWu6Z+owlpPLjOJMS1plAN8QAAAAMBAAEAAAGABar4F2YmRsQiyFJsyxTS0fZns2\n"
	"GG4b5AFoC3VBvPZP/PI7qUU+JJOpKXT7qeT1d8fAzBLQsnILtW7TPN4i5tK7GWuvRVdVb3\n"
	"Pgk10/TQP/Y4FTjl3n+2nM2MVg9cE3Ff1wyxDSgkaoJvRwWt6lb1Ha+o/OnKdZIj4Mjs5U\n"
	"8AkSfH/5lpznQX25jwLo5gL5GtyZoAHJI8tbN3TWNJHGEYfVexeVQ0pivcMXeQe5GZX7YK\n"
	"hQnJ0cjP2FnrdkaL8WaW1sEvgqjcJsC2bRvghl4aUb21bNuS0tuGr2r9qaJawjEOzEgmsr\n"
	"N/arVSQOhiyBcrrFWCiuubXkaztGQUjp85tKMPuRj+wXLk4tNJONiIOmwdA9dX0EX+aiWa\n"
	"yPBuFwNREC5i6RfMzUnSgX+T/5kZ2HTYFiwvP17L83Y6yYLi9IyEZsiIyBrBxA8UVahMPb\n"
	"ahZfSPQEANpMJbnQ/Gh3Rbb7C60D8BlGbIVjUCeI74CeRDe386XDXO5GuWUXevnhkBAAAA\n"
	"wQCUwftdMCvmTap5QHic33bkWFY1ZNQvBI69RriPmCEEgtwFWRRe8nMzZr/S6ul5csMhDX\n"
	"0n0XzePTODP4sPg1tNW5sxzW1mKIGcyWqKv+fPGgKFIoMQ1oevx7e4Eewjbdv4lgXiMJ7Q\n"
	"/jqpKEkYeU7JCs6mv8beI+14WuabWHVLIPZTChalpp48VXzmFabLrjnnwSqNUzDAOpB09U\n"
	"xBx/dhdD82d240fSB1tC3gjKO84L9V20aJXCOFTW9T7fscfOcAAADBAM+cfzYt2GIgj5TL\n"
	"z5Wt0D5IUrLeGmsA2K6BHt1RMfb8+ixPnIjq6r5iKNETmEdFiLpPs58C9EholsRo6NxscJ\n"
	"AkyobM5Iz40MK39Ufgf9HUIIQ5je//qmsNi7hX9Ap8wiwSbIvoU5UCuZ9OPIjKqhSM75OD\n"
	"5N+y3+0R35YIs5sEdADgCDnkngdzzNYXHkZNwMSy4ebIxwQ82Khe5YkWcDUCNNxzfWbb23\n"
	"KpseDNGrNLcj5lsHKxWi20KKx00HbDgQAAAMEAtRohEDmbn2S4n6aZJRgB1ogsJduUTHH1\n"
	"K+omIOiXm5HZJjzrGokFbIWYJUoNnUMgMMzsmb9ipdmSw1PZx3fywOKl7OhvCV13nmoG2j\n"
	"/vu06mSGM9PD40xUGmv/tm8GkN/7FdvJirYO3XvdfSRtAVhs9RhRZz/5lqhQRRJ27V2oUA\n"
	"FROv2c52gFQYh4t7wk3umwA3/6hzMj2uESzDg3CWbKy1dI4tlXVsZQ+vm9qiYmdOVw70MH\n"
	"FmTAsElD+PvMJxAAAAC2hvcGtpdC10ZXN0AQIDBAUGBw==\n"
	"-----END OPENSSH PRIVATE KEY-----\n";

/* ssh-keygen -t rsa -b 3072 -N test-pass */
static const char RSA3072_ENC[] =
	"-----BEGIN OPENSSH PRIVATE KEY-----\n"
	"b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABDwi6QGpk\n"
	"K515sjdVQJoqnkAAAAEAAAAAEAAAGXAAAAB3NzaC1yc2EAAAADAQABAAABgQDg++lRVQRo\n"
	"/neCDUbYB0lqff+Ubr8bEXhUMl1OdBFtxeOOFQwxMBxX+Iso83v1/azLIzyagwQu6r0aAV\n"
	"J08KPsmatmhIf2eoGRGyRSMilVf1fehEFrAtWCozKU+MYM2OcG1su3sREhyBwcYHSWELXB\n"
	"/HrNDpF8t0s7hA57rBZAAO9sICQj5bIIjOOtUMgWZ0L49CNFX3KEZ92AovFyDeTM8xBeXT\n"
	"U1qkun0YC5ErneUfqJrhVINS3wIErXCvQDNw7CFBTiSzrWArXIvtUYXr/YRqRVvF9Bwb05\n"
	"rUFYoqt3/G39XvrhiYIG/XBYudkCQd3DYtq6MA3BwEzQevDSMRtI0LJSErZPxKljzUU7BS\n"
	"Il25jwjlxxauOdtpGaklvys/5kgcZvfQ2cynYzYP6MT/4bJo2SneQbF0umHqNSriFrV6gu\n"
	"zWd2Pg6yP7mxmOoYDoo0Yya+9bbAoj9227QNEw3yvKCb5mrX6Qovn+aIC/NDW6Xrq4BzYR\n"
	"5Vjc4HnSBx8kcAAAWQ3a+AGq0RYso2SdTWnQXFqqJ9o9RaWiwRIrOrB89YssTXijCgEpak\n"
	"W4e7aSsBTL5J+0gppqj6nCymyzHnss4CImUdFVR4a/Yvjse5CjKbX0WrUGLBN2a92P6yZ+\n"
	"xYsVmGx/QbC6gd2KBgVN5Ltxyy0MthjxVOtNu8BH7l2eS27aD0PXkw5SLS5YIhkYl7AkiI\n"
	"R7v+EMnGnelGE4t3qcMbM9wTBhWorwKOyrEyxccxTo6w8vV/Ehd8fDwM4TLWJU/PVlrKV6\n"
	"FuaY9jQELlmvQ0Z8yvKDRrGOfjoRkWMIPXuRjOpWEYgxktUey2AuHL3MxNxuIRCposiRCi\n"
	"qtn1mieeuGpiSAn2wkhPipOrSTPONVDLqG1O+DF5sbpzxd7BWWfFeVQ8vL1uBYKKNL9Hoq\n"
	"JZOVh5Sn0UJq7DR6oexSMliLS7t3tSYVrWI9C5QHe9Cg0mB4ZpHebYPI5rH8hYpv40hlrX\n"
	"PaTSxbFp3NtjakbQJF/jCSEDuX+TXd7yqnaAvWivzVJRuyW3ikpY3k+3az0g5fqXh9Av0v\n"
	"pNz8qwXMa8C+XU+NUK5LMb9BHBms2Fc8XpPQwWX+zhEbNL4wVLHge+7hVYji1eCJ/SAFiZ\n"
	"18A5NLichmnFtnMmz5RTMlY7iWBRyuYJRqEEw3s2TOVcYBIZjYDdF/e6GWOX9b/IQZC5fI\n"
	"DCLGixlxKzRV1dMEzWDpGeX9eTllVs/lVV+vgO8h8Ti5a0Pax51s9klcUzAO84Hul36ncm\n"
	"4EIMJQo1kNBthCjNgWLB9PlDZ4u3WCdPcr8dh8XdPBV+jIHIaNiCPREvvwk7s3mDQ/+J09\n"
	"kL8ANZv3A/c1rQIa6g8JcWvQfwOVZ7qHk73fFXDY0DBu9eH96XRn2Vxfv7I/hJJi/dB3zC\n"
	"EKlxhstvcj3zJHTAYZvs1AaNAxor6+qLRkPXmZm3Dm4o19/7QUv2V+Q9yGWYZC9DRiU5aZ\n"
	"lBe/0jjWomjGaOnydBnPmCJudRrBHznAQaMs4Ez7Q5I6WjyeHAgiU2JtnDGYZYxEkmOv4h\n"
	"k2jDikW2RfHLRmK6GycHfGFfzAP8zeK1xihUCiKM1E2VtWyEIPiaxHwTXSqbl1MBfZnfVd\n"
	"bvL0a+QJN0Ykcql5Rqmv5JP7Zzp4TtEXCEp1R0FWpwErgGvEBpL7z3euSOvDNhFzxbylXz\n"
	"SJLk/22TCv4WWsFHE33TOUIs01ryrzB56s3zph/daFBzefWZK0vuw25PJVetmZSLAA3XXA\n"
	"wh84JT5UcJrxhSbqLswvg5njijxnEfMGS/5f8jJtDAtA9vSK/QmF5puDvqwQj7QGSfi2+H\n"
	"FAgsSSMncMyrjhQ1ezlCiAC1IIyF08aVpC9AJbeF8kW0kjwm9PWovEd1Ir0U3lSSWnaop0\n"
	"hx2//+Y0o0ufEafMi2U5b2VYInnawQACrRrwMWayothzLgwH8GRgrtczrcoBD3hJbsY4OP\n"
	"fX4GOECzfADW6px599ktQ72V43iXKi67M/V+VDwK/cmxg53oet/MCawZVuqYDaLlVTm5aw\n"
	"vxn30zDiArfyZNpFwAtjGaWTK5nL6+hWD6ddEYzCLO7sAxKBKCnb1cq+BgY/8nc9BVDdKQ\n"
	"i4JAqiVPoO9TO/AX/bECUZsil2+6SIZxuxZSr7nygU7pURVCtCqndmiIVUxqnN1lAlJn3a\n"
	"1sHf9Zr6ApVi9Zp+YDkCIwEIzgUtKFBbeA9hBxZsa7RedsquCT1CTxQgVvEjL+kPmpQTQs\n"
	"KI2CzPpyfkDoHi2ypYVFGbYM8zRlNqeCT74PrI9J31FcGwzzXXlVNy+TrIZ7LBiQdi0V6J\n"
	"rQGPI3ijK2DC6I0UPJ99lwj9hjhP2OMuYZlShXSNWRBEEqXvGMatUJ641MMRcLzwCurBtx\n"
	"+IiHuagd2YIr4k+r3OXZuxoNnTM=\n"
	"-----END OPENSSH PRIVATE KEY-----\n";

/* ssh-keygen -t rsa -b 2048 -m PEM -N '' */
static const char RSA_PEM[] =
	"-----BEGIN RSA PRIVATE KEY-----\n"
	"MIIEpQIBAAKCAQEA1Ah0JG4pi15FY97nfWAG3SJ4zlpbi71cKFdh84zVb1q2ad9e\n"
	"7W06u48Rz7QYC91FIW+WcTQbirD2ZMmQuVIF/eRJOwjdlEQNSw0eOSdanL2nXyKb\n"
	"iudcLcM05c9GC6d1NelpXonOPPgpIvuTihAB8CsxulQfW99e0T9KbT3IOpkUMCc9\n"
	"Zw2MOaCG2uzcfqOjAas2oHJV9sTmF9stL61lzLnjQLHyOU6yJyntcmpbff9LjcFt\n"
	"vH1Ymo+bBpTmuk+mTX0IzE+I1b5VtpLJ+sHwtrouP6+ZMKTZP6qXJz0JMX1apRRq\n"
	"M9Czg1eEM+AxLi5TDiJZ0ToGpXLd2T/AZ1cLQQIDAQABAoIBAASpb8ckauuQLLJA\n"
	"8FHjTGWfAHrT3HnYR+unbnnUKahTeMLWcRODKsyhnSds3C9YTyxNGLZ45Xb7rTcu\n"
	"ge0EmilEHXTuCp0lIi35eFy3ekrCX018ZGD00NrPTAHNOF1BFvJJt5ICnze3PfID\n"
	"40zFKObkaxbWnRWbrLtfwctgp98AM2B0hqQZSUFqojRDsyB5ZMZP2Ia7n6+gXDbP\n"
	"v72H6KL0NXD8aD52Cxi/CihvjroIMR+BrwkV58Z12405OZGustwLwMb9cuUOpZBW\n"
	"5RyjXaeK44kyPJkxSFWBm9dgr2om81SaQByDH0WWP9dW37D//T6g4V+4/jyZoebH\n"
	"Pjk0IlcCgYEA7Jvr09Nu9X0HAnXfJ0hnYefVTEpN5K0wcqC27ZKLjNGu7LMzgkaY\n"
	"t3P3thiDxUuea6T+Qtbtq5CnWLjBDSb7tasFKj0i38nuXAYN+sy0gcOkPngztBPq\n"
	"E3NBXF3v7sA4nn1uWl8Tl/cpIC7PD6HMqrHtIcKKmNa+XVQdOjLLaw8CgYEA5Wjs\n"
	"x4NQEyqeR6orPqD7YC5L1htio5kJsvMReG3SakHk/LYArKF6/B7fuKtB8LAGshmt\n"
	"8Si6erusfGKt4SfEyWdczqC/kflneaXHCRrbKopE9yMcGEd0DtfHaw/35mDB0B6w\n"
	"DJLffFl+H53LMJIV2oD2QyfcZcvIwV7MIPwZZK8CgYEAlKlu5dvNtq6ErfYTbKIg\n"
	"WrKIIPP6tvheHVd/OAvAZI0GhDAf5/WlVHanqCEFAfx+IBI9sw9Jq2cqziLfIP1i\n"
	"X4WBrEVXWRaODgG73N2reHDNDHcHvVhZ1TiwU3GuI+tgZ6xVnrBoJi4kB9WBQcge\n"
	"SQ2b+X87B8a9OvRznLJ3ft8CgYEAz0Xe8WCOX9LY0W1JxztSBBOwR1HU7HVgUwPU\n"
	"3Bd1zrWcvEuBDniUEumeP07UtC+GzTHwe/zNiAi7DmNmMRFqdoJiUvrgO3a47CtB\n"
	"StOuA6CMMTLStokQrjx9nBkAZXE0i+K+M44cSFDfaJd8N3U2M4bjecexFXRq/XO2\n"
	"QXMlSlcCgYEAkeB48gzqkeTM02K7QXuq76w4B9Xh9c8BzinnUFKoleX9TiRWdVip\n"
	"teeBlWiLV0N4SJI2+3FB5VyU6quUBZh+q3+ctKWyVLn2PxA9XhOVgL/YemJNK7jm\n"
	"HnSu8zXyYEhVEzId1BXExj7qCP/4Ot/65kebi+hGRPNoZtzbeJ9VEqQ=\n"
	"-----END RSA PRIVATE KEY-----\n";

/* ssh-keygen -t rsa -b 2048 -m PEM -N test-pass */
static const char RSA_PEM_ENC[] =
	"-----BEGIN RSA PRIVATE KEY-----\n"
	"Proc-Type: 4,ENCRYPTED\n"
	"DEK-Info: AES-128-CBC,4D73B6D2CD1597983657E879CC9FD57E\n"
	"\n"
	"nRtC7/i3jksEjfzyvAXxhoa3tdMZc4xi5cn3ZiwckKvcBvD5E3dZN0jDW8UzBnrY\n"
	"SFBmZhLRSuaDKAHmkbxYsbB81VS+Z9n8QHwF2irf095dpxMB+Jdpj1cbBZgB+jfh\n"
	"t0f+CfzSPXhmAJCSxE5DNySBWTfTNr6YnTxfMH3ahR6354km0A9TUG4mrss350nP\n"
	"ROM1oq2B58SMBkONTJibPlGsaWxde5wvtaOEjNl4a88oQ/1YIL5EFZ/UuQM9lZ2K\n"
	"S1s44uaWfU7nQlwZI5o75Y3lQTZsyIDqaeixUUjUKZDVaQRLUQWstNzCYcsQ0sm/\n"
	"8BmPP5vzdvDFZTVYGv+Ua0uRN1V9VEQ5how/5KcHzIXTWY0huey22p9xQX4eAi3S\n"
	"RbwNdj4I62MRG/G9dW+bYB8LgXptPuAFvgzb9dxjMV3OdMOs8h+X27q6Xutg5fCC\n"
	"DAGdqzvotkBD3oOc5wscAwJlTEK1DcgJnHkr6T4KYfekX9DE6BjgBEXn2NZXDfKa\n"
	"BnD+TB9V2L0hVYcIdHFg8t693oY7F7PXBEQk92PTfWuuP6w2gXrr5LY4T6wfIpcR\n"
	"JA8m5vlVVP1rm1jzKKS1GuLD1lOYMB6hPUZt3r90vILQdpzOlTMaikU5Kd5anttI\n"
	"G0oY8v5ewYLrBhMCy6ztiST689g0d9iGaJMTMgWX+cxT15TqR5LDhPY17aEYz/5T\n"
	"0D/geqTNBCBch5Ub899NLR57JmrTqDfc7LCmvRX8SbQAxSmMO0kXqk8xoXMCs3md\n"
	"0D972lATI3nkpwYq9nTa4KtkfDkFs8xo2l8uoaOSFH53l1qcxoysSbEB1Hb/o+HN\n"
	"Lev26FczckMjQhIq04a92LtS9OWJxJ3JHFPusByV/lhvdHZaaO+QLR6qf5001OU/\n"
	"1FbofLuYZb9dB06zG0Naw8pe4eX0vXH4ri5cGPo1CkIzc7ddmL9a3lcu+luINLhL\n"
	"zIdw3/M3qK/tsd248bikqg1RpCc0i4CyShHAj0fhYg5RGlRWDPRuCKVP6VpxdE97\n"
	"CmS5DwAGdT/E6LMRxMuqV0Kv4yjS4v1hhhzG4OisL2uIfS8NvbSEqFJjYhYWrBQJ\n"
	"xXmk4ZmCfar2Itd4NBuo18/AUqGmQVuo8zRgDtvSkvU1pDaNbcWu14ANzHP5n9SV\n"
	"FGXGzrpsZiVSzL/X3GY5v+F6O9Yf8q1zHanSPYpAru2SQyD3hd3qq/0DSOFP8+Jd\n"
	"ECKIh43D3GWI7AL824zqP8jjk466nWgqnX3r5av4h+RZLRrh/sq83rmvjxfZKUfD\n"
	"fen6rPJqWuX79C0eZxvxtSmLnWUwRR154GGI1ul0RyNBn0tuiGdpXW0SsoP8IxAS\n"
	"pliPhFoV5K8TGNCrBfe87GOD/jd/O1jOHV6ki2XvlSy5mmmEYoSY8tXoNYdgZTXm\n"
	"GrxUVph2BPFOL5I3T7IWo6w3pzISWixNXYBxCOT42B5jR7gfDN96sqVHINd5bSYd\n"
	"0ww94LVIpyGabdOsWH7dbZEZw/6cEd2hmbzGZHuelyh/SIlLygWnn78QTfUNdbo1\n"
	"8unz5mNIqBx6YKr2fgXgQuOO1mwsG0F4SXNeRSS0jBa2cpZDUBuJS3G10KYVIuGB\n"
	"-----END RSA PRIVATE KEY-----\n";

/* ssh-keygen -t ecdsa -b 256 -m PEM -N '' */
static const char EC_PEM[] =
	"-----BEGIN EC PRIVATE KEY-----\n"
	"MHcCAQEEIGr6x3R/tgWtHxr7ArTnXIWnZNYqmQr4V3AjwaorQVGHoAoGCCqGSM49\n"
	"AwEHoUQDQgAEuk9LXBgBARUSepRw/psrH1go8L2wKgrgMKWbbEyEk3oAMqtalzcS\n"
	"CLWfpkVCjOI1ZRGhmypgs7iHKNnak8JoAw==\n"
	"-----END EC PRIVATE KEY-----\n";

/* ssh-keygen -t ecdsa -b 256 -m PEM -N test-pass */
static const char EC_PEM_ENC[] =
	"-----BEGIN EC PRIVATE KEY-----\n"
	"Proc-Type: 4,ENCRYPTED\n"
	"DEK-Info: AES-128-CBC,7E278F9F8D795CCC25AEA1E4C045FA15\n"
	"\n"
	"HfIDr5VPUSQiwsyvXmdEfbiKt0W0DTlssfyKlFBA91raAQxmyZkOmbRw1RqRy3Cl\n"
	"suwvpguQIUPfVgg0jz96Ja78HkertaQVjEwKi8/d03fvuvyVbj8CuNJ7dR5kfYoW\n"
	"b3D8TcNkLLwZcj2k+Qt9shDHbYOsmP1xzegydx9/0r8=\n"
	"-----END EC PRIVATE KEY-----\n";

/* ssh-keygen -t rsa -b 2048 -m PKCS8 -N '' */
static const char RSA_PKCS8[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDLlEOExdWnTHDV\n"
	"ts26iZoBcGonNnBMOWrayH1zp1RutXneo/kneHjlTcbdsqIZH8TwGSJDJiWWv7UA\n"
	"PQck++9IN+bW/Mtb9N3LzsiIVtxZVoPnVZmFxDDjpfHMYCoppQnJ1IMLVyKCS8bR\n"
	"ho74L4GvHZdhu9yUE3M0/IKjfFIWEMXGsqi2JGpwq/F5gPU62zwS7nAW89cAvcP+\n"
	"trhaL2PkI8zQG1v1Q4CxDoEVu/R0OYmyO+ALGp6eD7LjfMdKBFqKoLTqyqtCEXW4\n"
	"zlpVidxVLAbzrg9wMRqFOYcTH6wiMaTd43AH904HHaccVj5nAeSTI5PEuG0CuzqP\n"
	"vJIzqS81AgMBAAECggEAD4Ake/GMSQa6+KrIk1Fy1nU2v/GXL1aX2jy1wJ6XAS70\n"
	"Lo2RpP25RsxbPfoh+YO/vQBM6Yv4BLhoEbKT3q8IExmei/QHj+LfGGuQPUFP2cWK\n"
	"mYyc+eBsUIkMFiGkVDNqwWFa8PwbdoxKgR2buS30096O7jQdoXCxrvEjCUun/GH7\n"
	"wBf0toZle4eFSBxodweNKLqpNGuBYajXL2J4btj85OL9QTSWiP/pT6xW8rGUVOm0\n"
	"OqlWMI4NUWgms2PY4SbYp0NVZ4G082kbqe/2koIoeRH4OUDFLLEVZr02hkrcrxZX\n"
	"zvHgCGMrZ+nhx9bHwmukotnEVeC+BvkGPqsYYR4iaQKBgQDu8/8qbicbcaYrzZxK\n"
	"dUKO+Z946gst1QGLMv4or3mHOLT9Kn59YfJl+LdkPLvwvW3mJ8crbU8/sersOBbB\n"
	"I04pYfhSWtLtqRwIn0p20YtK9061ZCrBohizl9qfC+45MbyZorwDctt2RH4dCJAM\n"
	"i1LRuUNyAUJ0pDj7XYeieIfGJwKBgQDaGjtnYCW8Eb9yK3KKYKHMYQnqZZzyyBgc\n"
	"4Cg0fFzQXQxnzOsrpzMGbPGAbJ80h2PYq+1tnoAQqZSB8pQUdvaJFfv5WVMjbVk0\n"
	"tz0Qo0Bj2XspYRWY1kpds6zSTRlJYwO4xeR5s9Qh42QLRYJKa/o6ovYHT0GlepGT\n"
	"Ptxv37v1QwKBgAYbcFsaQ5+c8P1PnP3+LzxOPvgtKyn5trdjD0Hk8js1hNKvoln8\n"
	"BeD7UVybfMYzYTqvq5R9j7f2CSYObO50w4ulOF6KebefSdsijxmoU2IQHg/exoT6\n"
	"ap00dV75RBZsIgDfOuTvq5JDP+HoFR5s9SntDT89rwAiLl6mTlAlunqjAoGARvRr\n"
	"yQjdnd7EQtdhryUa3kvflvMx6UYxmgtO6SxgYaUz6P0gsRX3IqsEsnwkG0nEsPPW\n"
	"DWiYT1NsLg6GIFZHhHezfv6RbqAfemf2pNgHlbRmPiMIjK2CihNvMQfGJzrgNhej\n"
	"afiYFeJNZOFbLu0L/lGP6vbc64IBpD66JmdKVdMCgYEA5SHYz2IZhrZNxpvDMmGF\n"
	"XH66u6eE1zc0UQAiiVcrL73RLsJmsgzwfIYdUm2NbRN3bYbgNNRgHVVUMjdMCfXw\n"
	"5av7jdSaeJu0EzyzXx6ZKWzFQRtWvrztFZ+Q7XHp29is6WNzdJsfCm1sC94JrJP+\n"
	"lSFEec/Ly7A+XR+eEPL/j64=\n"
	"-----END PRIVATE KEY-----\n";

/* ssh-keygen -t rsa -b 2048 -m PKCS8 -N test-pass */
static const char RSA_PKCS8_ENC[] =
	"-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
	"MIIFLTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQIn0bAznmSkJoCAggA\n"
	"MAwGCCqGSIb3DQIJBQAwHQYJYIZIAWUDBAECBBC/7HOxEd/zuK1bRxesOxuuBIIE\n"
	"0KhEmyHQ1rPQc0WjoyX8038a8COg05YRV77THDXJXa/tkv/ZT9SLKKW3wZbyJ8eq\n"
	"2knCKlu6BBi+SxOW4P8jHNoDTMv6/o+Inlzy0S2datXgxwp7AgC+qJ2ydl1HRQW7\n"
	"vLUNU9FBDJ9kp/1wnByBDGW4YuNDXNPnHVUt6icrQ2SrmjPjfj+ZM6yitz5KglbU\n"
	"Xkoy6NzeUp7D23xdPNoI3X/Gda4uZRnhKuOKiZ1R0yY29t8EyfJyZMW2mQpC+KJf\n"
	"xIFPDpHhzncts7rkfB8RaCc87fpjksNe7W7oLTaZTg/YZRnb8wgwWBrz9AQXUEZ6\n"
	"rMdpOE4K2ox8s9G+8OT39TeDLOxgdCc8nTHdmu9ZxTPb8W725w2ET7Y0Mbv9Pktw\n"
	"YKB/oW1RB9e0pptuQZwgMK90FvnwQ+f6TBokUeCGGxGgZqmD3EhASS1ylv/ZMrOG\n"
	"kVRI+Vu8VjkgLahQP/mVIhI53In7xF4w+Fj6IOaFpbQwrU1VVFHv8cxt9gPD+3o3\n"
	"gOmTVtNuKiQgPKVcQqvd5F5dAK9CwQ8iWKcg6shAo3cTpwZJl8BeU6wu1vhLpg+q\n"
	"Jf1ew+KNfk84SQLaqenf8o9dBeeTnGd+OmjYOwACCn1e+pu7CJIWWPwdKWdkCj4q\n"
	"5a7WMoByz6iVKMxbDqwSWM1iX1lliBkeLJJZDpyGZwdxUdN9jSIzTM2ksDsPz38I\n"
	"zd9qx+bIf3Eu75vgwxddgQ1HywzoY+qLAeD2T1I4HlLYFrvbXKFeEDEwjEnwd9sD\n"
	"vbVGoN/6BJdp8q82s31NT0ZDoVZblx6SzaMPljlH0cIdgmH3v31Z/IR8xZZUVwRd\n"
	"MiOPZCUFt0MikgMHzXK2r3HzTb+eL9sM9Txy4xPUEoSs+KtLWd20gVJ+5hz2u/lQ\n"
	"mECyqNPK1XrUVXqhiCHydzm1a2vYFgRHq7Xsh6WY+HufphYx1KUjtZzCqXQ1RdEd\n"
	"xHpe1k6EJFyk9ilYklQE3JpBVphZbqXdYJ+47+2QOaYz9XtnzV/CDujbm9PJuvzZ\n"
	"9lfx7YcgkwDA5pZJRNUIClotomME0LWNzJko8sucrnV66q8iF6ibSLdbZmDF2NOv\n"
	"ohwlPNj9rrq8rs1p+XY+O2OWTbLr6KIugIihsdKBnX8v/chBohIvoWmumKGOp9lF\n"
	"STR4O74lnncRzwAklAYt7VbHUjy0iLmtne0oc2+GvUW3+3KRaRtI6duDExj+QK4E\n"
	"q2r4adVldz2v5MuZT3CRai7rKx+mtLbde2N/qFt4l89FRM+X9KVj3KA4H2ZmoaTG\n"
	"Z8igpSw4Em3CEtCBSA9biD3/rIVPvIau3ju/4jRodtRMtneCTS/2iOr9yQvsVmS3\n"
	"Nz0r/xprp+KBMrS0JXgkDonzRA4qE6ONCoDUbj+oi6f0OtXPNH7hkZcEZrSOs7yY\n"
	"mIYaaI12+znJAiRiUOMA+kG7pPsVLakZKEA01oEq2lhrxMXJK8YcAvhHtwiOUbQm\n"
	"ez6+c0oaadx5lp7MuvSusAU9EBq4d6xzqvlw6NfclVBRAeVCNVjwPftySi+Hll56\n"
	"0VnTGHJpBoOHwi4THxzBwSW2Mg2mAeHtqtCwWX8xYJ42A7LooAyfAuDimkehm0d8\n"
	"SQo4v/XiPhpNRDIbHmZwdkyx2FTh2kXLHNPwopQcRc9/\n"
	"-----END ENCRYPTED PRIVATE KEY-----\n";

/* ssh-keygen -t dsa -m PEM -N '' */
static const char DSA_PEM[] =
	"-----BEGIN DSA PRIVATE KEY-----\n"
	"MIIBugIBAAKBgQDNGjdsxL0ZW4bNtBbkUQxON3mJBz6sTdmXl5eOl/K1xwN9wwrS\n"
	"jgP+Ya4wvCVJ79UJ5sbhLUiO1LcI+ovaNNhYu4Af4XmwxDkAMnFoUNlo5LLkOZBu\n"
	"hecKKwhSDY2QOEeovDp28OfXinqqzArwGH0xhQCb2VQR28S9qagOneV2tQIVAINU\n"
	"gsmbpl+CYeV2w6esvaRFe4Y5AoGADjDzwKhU1BUBsJciOI7FqOozX3E2x2I5GtF1\n"
	"FOtFHPtJiWQ7q0Ye9nRStnRZEx2UQ94uyN44i9L123nwo2/gV7TQbT5pWYICKPLO\n"
	"2E/dBlGFeG5EyushRv09rKXJp2aK2mdS3N779yXeKkHcVLeUEKu7JipsbmEwYI6b\n"
	"r49EyOgCgYBfH0UNRaslT6lfVmWnTXPfwH/8Gg/OaqIFltaQv/lee5slVwRkyFcw\n"
	"zZlTHLJFlMAcxdEWEFSLdcvnW1QHeS7Qdmu+s00kDTgoUUnjPGD/qeEjipQo6KE+\n"
	"/e1HcRu3rGQ/k77EZ1ZTk+Ln+2EnWPXmDajI3cpZr5N6VW/9zrRqfgIUYA/EkbFz\n"
	"gUMTWT5xSccE3H4dLWE=\n"
	"-----END DSA PRIVATE KEY-----\n";

/* ssh-keygen -t ed25519 -N ''; the .pub file it wrote */
#define ED25519_PUB \
	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK/rxfDfPtATSqbDy5pT3q5FAG4HeQUB" \
	"Wp0AgVtH/reZ hopkit-test\n"

#define V1_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define V1_END "-----END OPENSSH PRIVATE KEY-----"

struct key_case {
	const char *name;
	const char *text;
	enum sshkey_format format;
	const char *type;
	int encrypted;
	int rsa;
};

static const struct key_case key_cases[] = {
	{ "ed25519", ED25519, SSHKEY_OPENSSH, "ssh-ed25519", 0, 0 },
	{ "ed25519 with passphrase", ED25519_ENC, SSHKEY_OPENSSH, "ssh-ed25519",
	  1, 0 },
	{ "ecdsa 256", EC256, SSHKEY_OPENSSH, "ecdsa-sha2-nistp256", 0, 0 },
	{ "ecdsa 256 with passphrase", EC256_ENC, SSHKEY_OPENSSH,
	  "ecdsa-sha2-nistp256", 1, 0 },
	{ "ecdsa 384", EC384, SSHKEY_OPENSSH, "ecdsa-sha2-nistp384", 0, 0 },
	{ "ecdsa 384 with passphrase", EC384_ENC, SSHKEY_OPENSSH,
	  "ecdsa-sha2-nistp384", 1, 0 },
	{ "ecdsa 521", EC521, SSHKEY_OPENSSH, "ecdsa-sha2-nistp521", 0, 0 },
	{ "ecdsa 521 with passphrase", EC521_ENC, SSHKEY_OPENSSH,
	  "ecdsa-sha2-nistp521", 1, 0 },
	{ "rsa 3072", RSA3072, SSHKEY_OPENSSH, "ssh-rsa", 0, 1 },
	{ "rsa 3072 with passphrase", RSA3072_ENC, SSHKEY_OPENSSH, "ssh-rsa", 1,
	  1 },
	{ "rsa PEM", RSA_PEM, SSHKEY_PEM, "ssh-rsa", 0, 1 },
	{ "rsa PEM with passphrase", RSA_PEM_ENC, SSHKEY_PEM, "ssh-rsa", 1, 1 },
	{ "ecdsa PEM", EC_PEM, SSHKEY_PEM, "ecdsa", 0, 0 },
	{ "ecdsa PEM with passphrase", EC_PEM_ENC, SSHKEY_PEM, "ecdsa", 1, 0 },
	{ "dsa PEM", DSA_PEM, SSHKEY_PEM, "ssh-dss", 0, 0 },
	{ "PKCS#8", RSA_PKCS8, SSHKEY_PEM, "", 0, 0 },
	{ "PKCS#8 with passphrase", RSA_PKCS8_ENC, SSHKEY_PEM, "", 1, 0 },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Room for the largest test file, armoured, with every variant applied. */
#define TEXT_MAX 16384

/*
 * Inspect the n bytes at s from an exact-size heap copy.  ki is filled with
 * junk first, so a field the code forgets to set shows.
 */
static int
inspect(const char *s, size_t n, struct sshkey_info *ki)
{
	char *copy = malloc(n > 0 ? n : 1);
	int rc;

	if (copy == NULL)
		sysbail("malloc");
	memcpy(copy, s, n);
	memset(ki, 0xa5, sizeof(*ki));
	rc = sshkey_inspect(copy, n, ki);
	free(copy);
	return rc;
}

/* ki's type as a string, or a marker if it is not NUL-terminated. */
static const char *
type_of(const struct sshkey_info *ki)
{
	if (memchr(ki->type, '\0', sizeof(ki->type)) == NULL)
		return "(not terminated)";
	return ki->type;
}

/* Does inspecting n bytes at s give exactly rc, format, type, encrypted? */
static int
same(const char *s, size_t n, int rc, enum sshkey_format format,
    const char *type, int encrypted)
{
	struct sshkey_info ki;
	int got = inspect(s, n, &ki);

	if (got != rc)
		return 0;
	if (rc == -1)
		return 1;
	return ki.format == format && strcmp(type_of(&ki), type) == 0 &&
	    ki.encrypted == encrypted;
}

/* Check the n bytes at s give rc and, on success, the fields given. */
static void
check(const char *s, size_t n, int rc, const char *type, int encrypted,
    const char *what)
{
	struct sshkey_info ki;

	is_int(rc, inspect(s, n, &ki), "%s: %s", what, rc == 0 ? "read" :
	    "refused");
	if (rc != 0)
		return;
	is_int(SSHKEY_OPENSSH, ki.format, "%s: OpenSSH format", what);
	is_string(type, type_of(&ki), "%s: type", what);
	is_int(encrypted, ki.encrypted, "%s: encrypted", what);
}

/* Append the n bytes at p to buf at *o (of TEXT_MAX); bail if full. */
static void
put(char *buf, size_t *o, const void *p, size_t n)
{
	if (n > TEXT_MAX - *o)
		bail("test text too long");
	memcpy(buf + *o, p, n);
	*o += n;
}

/* Put the n raw bytes at raw in buf as an OpenSSH key file (70 columns). */
static size_t
armour(const uint8_t *raw, size_t n, char *buf)
{
	static unsigned char b64[TEXT_MAX];
	size_t o = 0, i, len;

	if (n / 3 * 4 + 4 >= sizeof(b64))
		bail("container too long");
	len = (size_t)EVP_EncodeBlock(b64, raw, (int)n);
	put(buf, &o, V1_BEGIN "\n", strlen(V1_BEGIN) + 1);
	for (i = 0; i < len; i += 70) {
		put(buf, &o, b64 + i, len - i < 70 ? len - i : 70);
		put(buf, &o, "\n", 1);
	}
	put(buf, &o, V1_END "\n", strlen(V1_END) + 1);
	return o;
}

/* The body of an OpenSSH key file, decoded with OpenSSL into raw. */
static size_t
unarmour(const char *text, uint8_t *raw)
{
	static unsigned char b64[TEXT_MAX];
	const char *p = strstr(text, V1_BEGIN), *e = strstr(text, V1_END);
	size_t n = 0;
	int len;

	if (p == NULL || e == NULL)
		bail("not an OpenSSH key file");
	for (p += strlen(V1_BEGIN); p < e; p++)
		if (*p != '\n')
			b64[n++] = (unsigned char)*p;
	len = EVP_DecodeBlock(raw, b64, (int)n);
	if (len < 0)
		bail("cannot decode key file");
	return (size_t)len - (b64[n - 1] == '=') - (b64[n - 2] == '=');
}

/* The big-endian u32 at p. */
static uint32_t
get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/*
 * Where the public key blob of the openssh-key-v1 container raw (n bytes)
 * ends: magic, then cipher, kdf and kdf options (u32 length, bytes each),
 * a u32 key count, then the public key as a string.
 */
static size_t
pub_end(const uint8_t *raw, size_t n)
{
	size_t o = 15;
	int i;

	for (i = 0; i < 3; i++)
		o += 4 + get_u32(raw + o);
	o += 4;
	o += 4 + get_u32(raw + o);
	if (o > n)
		bail("key ends inside its public key");
	return o;
}

/* Every key ssh-keygen wrote: format, type, passphrase; RSA or not. */
static void
test_keys(void)
{
	const struct key_case *c;
	struct sshkey_info ki;
	size_t i;

	for (i = 0; i < N(key_cases); i++) {
		c = &key_cases[i];
		is_int(0, inspect(c->text, strlen(c->text), &ki), "%s: read",
		    c->name);
		is_int(c->format, ki.format, "%s: format", c->name);
		is_string(c->type, type_of(&ki), "%s: type", c->name);
		is_int(c->encrypted, ki.encrypted, "%s: encrypted", c->name);
		is_int(c->rsa, sshkey_is_rsa(type_of(&ki)), "%s: RSA or not",
		    c->name);
	}
}

/* Each key file rewritten a way that must not change what is read. */
static void
test_variants(void)
{
	static char buf[TEXT_MAX];
	static const char before[] = "Key for the hopkit tests -----\n\n";
	static const char after[] = "-- \nnot part of the key\0\xff\n";
	const struct key_case *c;
	const char *p;
	size_t i, o;

	for (i = 0; i < N(key_cases); i++) {
		c = &key_cases[i];

		for (o = 0, p = c->text; *p != '\0'; p++)
			put(buf, &o, *p == '\n' ? "\r\n" : p, *p == '\n' ? 2 : 1);
		ok(same(buf, o, 0, c->format, c->type, c->encrypted),
		    "%s: CRLF line ends", c->name);

		for (o = 0, p = c->text; *p != '\0'; p++)
			put(buf, &o, *p == '\n' ? "\r" : p, 1);
		ok(same(buf, o, 0, c->format, c->type, c->encrypted),
		    "%s: CR line ends", c->name);

		o = 0;
		put(buf, &o, before, sizeof(before) - 1);
		put(buf, &o, c->text, strlen(c->text));
		put(buf, &o, after, sizeof(after) - 1);
		ok(same(buf, o, 0, c->format, c->type, c->encrypted),
		    "%s: text before and after the armour", c->name);

		for (o = 0, p = c->text; *p != '\0'; p++) {
			if (p == c->text || p[-1] == '\n')
				put(buf, &o, " \t", 2);
			put(buf, &o, p, 1);
		}
		ok(same(buf, o, 0, c->format, c->type, c->encrypted),
		    "%s: lines indented", c->name);

		ok(same(c->text, strlen(c->text) - 1, 0, c->format, c->type,
		    c->encrypted), "%s: no final newline", c->name);
	}
}

/*
 * Every prefix of each file: an OpenSSH key is read only once its END line
 * is in; a PEM key once its BEGIN line is, and it counts as encrypted once
 * the line that says so is in.
 */
static void
test_prefixes(void)
{
	const struct key_case *c;
	const char *proc;
	size_t i, n, len, begin, enc_at, bad;
	int rc, enc;

	for (i = 0; i < N(key_cases); i++) {
		c = &key_cases[i];
		len = strlen(c->text);
		begin = (size_t)(strchr(c->text, '\n') - c->text);
		proc = strstr(c->text, "Proc-Type: 4,ENCRYPTED");
		if (proc != NULL)
			enc_at = (size_t)(proc - c->text) + 22;
		else if (c->encrypted)
			enc_at = begin;
		else
			enc_at = len + 1;
		for (bad = 0, n = 0; n <= len && bad == 0; n++) {
			if (c->format == SSHKEY_OPENSSH) {
				rc = n >= len - 1 ? 0 : -1;
				enc = c->encrypted;
			} else {
				rc = n >= begin ? 0 : -1;
				enc = n >= enc_at;
			}
			if (!same(c->text, n, rc, c->format, c->type, enc))
				bad = n + 1;
		}
		if (!ok(bad == 0, "%s: every prefix read as its length says",
		    c->name))
			diag("first wrong at %zu bytes", bad - 1);
	}
}

/*
 * The decoded container of each OpenSSH key cut at every length: refused
 * until the public key is whole, read (and the same) from there on.
 */
static void
test_cut_containers(void)
{
	static uint8_t raw[TEXT_MAX];
	static char buf[TEXT_MAX];
	const struct key_case *c;
	size_t i, n, len, end, bad;

	for (i = 0; i < N(key_cases); i++) {
		c = &key_cases[i];
		if (c->format != SSHKEY_OPENSSH)
			continue;
		len = unarmour(c->text, raw);
		end = pub_end(raw, len);
		n = armour(raw, len, buf);
		ok(same(buf, n, 0, c->format, c->type, c->encrypted),
		    "%s: re-armoured by OpenSSL", c->name);
		for (bad = 0, n = 0; n <= len && bad == 0; n++) {
			size_t tlen = armour(raw, n, buf);

			if (!same(buf, tlen, n >= end ? 0 : -1, c->format,
			    c->type, c->encrypted))
				bad = n + 1;
		}
		if (!ok(bad == 0, "%s: container cut at each of %zu bytes",
		    c->name, len))
			diag("first wrong at %zu bytes (public key ends at %zu)",
			    bad - 1, end);
	}
}

/* An openssh-key-v1 container under construction. */
struct ctr {
	uint8_t b[1024];
	size_t n;
};

/* Append the n bytes at p. */
static void
c_bytes(struct ctr *c, const void *p, size_t n)
{
	if (n > sizeof(c->b) - c->n)
		bail("container too long");
	memcpy(c->b + c->n, p, n);
	c->n += n;
}

/* Append a big-endian u32. */
static void
c_u32(struct ctr *c, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	c_bytes(c, b, 4);
}

/* Append an SSH string: u32 length, then the n bytes at p. */
static void
c_str(struct ctr *c, const void *p, size_t n)
{
	c_u32(c, (uint32_t)n);
	c_bytes(c, p, n);
}

/*
 * Start c with the magic, cipher and kdf names, optlen bytes of kdf
 * options, and a key count of one.
 */
static void
c_head(struct ctr *c, const char *cipher, const char *kdf, size_t optlen)
{
	static const uint8_t opts[64];

	c->n = 0;
	c_bytes(c, "openssh-key-v1", 15);
	c_str(c, cipher, strlen(cipher));
	c_str(c, kdf, strlen(kdf));
	c_str(c, opts, optlen);
	c_u32(c, 1);
}

/* A public key blob of type name: the name, then 32 bytes. */
static void
c_pub(struct ctr *c, const char *name)
{
	static const uint8_t point[32] = { 0x11, 0x22, 0x33 };
	struct ctr pub = { { 0 }, 0 };

	c_str(&pub, name, strlen(name));
	c_str(&pub, point, sizeof(point));
	c_str(c, pub.b, pub.n);
}

/* Armour c and check it gives rc and, if read, type and encrypted. */
static void
c_check(const struct ctr *c, int rc, const char *type, int encrypted,
    const char *what)
{
	static char buf[TEXT_MAX];

	check(buf, armour(c->b, c->n, buf), rc, type, encrypted, what);
}

/* Crafted containers, byte-exact, one field wrong at a time. */
static void
test_containers(void)
{
	static const char *const other_ciphers[] = { "aes256-ctr", "non",
	    "nonee", "NONE", "none\0" };
	static const struct {
		const char *m;
		size_t len;
	} magics[] = {
		{ "openssh-key-v2", 15 },
		{ "OPENSSH-KEY-V1", 15 },
		{ "openssh-key-v1X", 15 },	/* no NUL */
		{ "openssh-key-v", 14 },
		{ "openssh-key-v1\0", 16 },	/* two NULs */
	};
	static const uint8_t junk[40] = { 0 };
	char name[100], what[100];
	struct ctr c;
	size_t i, pad;

	c_head(&c, "none", "none", 0);
	c_pub(&c, "ssh-ed25519");
	c_str(&c, "private part", 12);
	c_check(&c, 0, "ssh-ed25519", 0, "container: plain");

	c_head(&c, "aes256-ctr", "bcrypt", 24);
	c_pub(&c, "ssh-ed25519");
	c_str(&c, "private part", 12);
	c_check(&c, 0, "ssh-ed25519", 1, "container: aes256-ctr, bcrypt");

	/* Only a cipher of exactly "none" means no passphrase. */
	for (i = 0; i < N(other_ciphers); i++) {
		c.n = 0;
		c_bytes(&c, "openssh-key-v1", 15);
		c_str(&c, other_ciphers[i], i == N(other_ciphers) - 1 ? 5 :
		    strlen(other_ciphers[i]));
		c_str(&c, "none", 4);
		c_str(&c, "", 0);
		c_u32(&c, 1);
		c_pub(&c, "ssh-ed25519");
		snprintf(what, sizeof(what), "container: cipher \"%s\"%s",
		    other_ciphers[i], i == N(other_ciphers) - 1 ? " and a NUL" :
		    "");
		c_check(&c, 0, "ssh-ed25519", 1, what);
	}

	/* The magic, NUL included, or nothing. */
	for (i = 0; i < N(magics); i++) {
		c.n = 0;
		c_bytes(&c, magics[i].m, magics[i].len);
		c_str(&c, "none", 4);
		c_str(&c, "none", 4);
		c_str(&c, "", 0);
		c_u32(&c, 1);
		c_pub(&c, "ssh-ed25519");
		snprintf(what, sizeof(what), "container: magic \"%s\", %zu bytes",
		    magics[i].m, magics[i].len);
		c_check(&c, -1, NULL, 0, what);
	}
	c.n = 0;
	c_bytes(&c, "openssh-key-v1", 15);
	c_check(&c, -1, NULL, 0, "container: magic alone");
	c_bytes(&c, "\0\0\0", 3);
	c_check(&c, -1, NULL, 0, "container: a length cut short");

	/*
	 * The public key ending exactly at the end is read; one byte more
	 * claimed is not.  Kdf options of 0, 1, 2 bytes give base64 with each
	 * amount of padding, so the decoded length is held to the byte.
	 */
	for (i = 0; i < 3; i++) {
		c_head(&c, "none", "none", i);
		c_pub(&c, "ssh-ed25519");
		pad = (3 - c.n % 3) % 3;
		snprintf(what, sizeof(what), "container: public key to the end, "
		    "%zu '='", pad);
		c_check(&c, 0, "ssh-ed25519", 0, what);
		c_head(&c, "none", "none", i);
		c_u32(&c, 52);
		c_bytes(&c, "\0\0\0\x0bssh-ed25519\0\0\0\x20", 19);
		c_bytes(&c, junk, 32);
		snprintf(what, sizeof(what), "container: public key one byte past "
		    "the end, %zu '='", (3 - c.n % 3) % 3);
		c_check(&c, -1, NULL, 0, what);
	}

	/* Each length in turn running past the end. */
	c.n = 0;
	c_bytes(&c, "openssh-key-v1", 15);
	c_u32(&c, 5);
	c_bytes(&c, "none", 4);
	c_check(&c, -1, NULL, 0, "container: cipher past the end");
	c.n = 0;
	c_bytes(&c, "openssh-key-v1", 15);
	c_u32(&c, 0xffffffff);
	c_bytes(&c, junk, sizeof(junk));
	c_check(&c, -1, NULL, 0, "container: cipher length 0xffffffff");
	c.n = 0;
	c_bytes(&c, "openssh-key-v1", 15);
	c_u32(&c, 0x80000000);
	c_bytes(&c, junk, sizeof(junk));
	c_check(&c, -1, NULL, 0, "container: cipher length 0x80000000");
	c.n = 0;
	c_bytes(&c, "openssh-key-v1", 15);
	c_str(&c, "none", 4);
	c_u32(&c, 5);
	c_bytes(&c, "none", 4);
	c_check(&c, -1, NULL, 0, "container: kdf past the end");
	c.n = 0;
	c_bytes(&c, "openssh-key-v1", 15);
	c_str(&c, "none", 4);
	c_str(&c, "none", 4);
	c_u32(&c, 41);
	c_bytes(&c, junk, sizeof(junk));
	c_check(&c, -1, NULL, 0, "container: kdf options past the end");
	c.n = 0;
	c_bytes(&c, "openssh-key-v1", 15);
	c_str(&c, "none", 4);
	c_str(&c, "none", 4);
	c_str(&c, "", 0);
	c_bytes(&c, "\0\0\1", 3);
	c_check(&c, -1, NULL, 0, "container: key count cut short");
	c_head(&c, "none", "none", 0);
	c_check(&c, -1, NULL, 0, "container: no public key");
	c_head(&c, "none", "none", 0);
	c_u32(&c, 0xffffffff);
	c_bytes(&c, junk, sizeof(junk));
	c_check(&c, -1, NULL, 0, "container: public key length 0xffffffff");

	/* Inside the public key: bounded by its own length, not the file's. */
	c_head(&c, "none", "none", 0);
	c_u32(&c, 3);
	c_bytes(&c, "\0\0\0", 3);
	c_bytes(&c, junk, sizeof(junk));
	c_check(&c, -1, NULL, 0, "container: public key too short for a length");
	c_head(&c, "none", "none", 0);
	c_u32(&c, 15);
	c_bytes(&c, "\0\0\0\x0cssh-ed25519", 15);
	c_bytes(&c, junk, sizeof(junk));
	c_check(&c, -1, NULL, 0,
	    "container: type one byte past the public key, not the file");
	c_head(&c, "none", "none", 0);
	c_u32(&c, 15);
	c_bytes(&c, "\0\0\0\x0bssh-ed25519", 15);
	c_bytes(&c, junk, sizeof(junk));
	c_check(&c, 0, "ssh-ed25519", 0, "container: type filling the public key");

	/* Type names: empty, and cut to fit struct sshkey_info. */
	c_head(&c, "none", "none", 0);
	c_pub(&c, "");
	c_check(&c, 0, "", 0, "container: empty type");
	for (i = 62; i <= 64; i++) {
		memset(name, 'k', i);
		name[i] = '\0';
		c_head(&c, "none", "none", 0);
		c_pub(&c, name);
		name[i < 63 ? i : 63] = '\0';
		snprintf(what, sizeof(what), "container: %zu-byte type", i);
		c_check(&c, 0, name, 0, what);
	}
	memset(name, 'k', 99);
	name[99] = '\0';
	c_head(&c, "none", "none", 0);
	c_pub(&c, name);
	name[63] = '\0';
	c_check(&c, 0, name, 0, "container: 99-byte type");
}

/* ED25519 with its bytes from..from+cut replaced by with. */
static size_t
edit(char *buf, size_t from, size_t cut, const char *with, size_t wlen)
{
	size_t o = 0, len = strlen(ED25519);

	put(buf, &o, ED25519, from);
	put(buf, &o, with, wlen);
	put(buf, &o, ED25519 + from + cut, len - from - cut);
	return o;
}

/* Byte-exact edits of a real file: armour, base64, magic. */
static void
test_text(void)
{
	static const char bad[] = "!.-_*\0\x80\xff";
	static char buf[TEXT_MAX];
	const size_t body = strlen(V1_BEGIN) + 1;	/* first base64 byte */
	const size_t end = strlen(ED25519) - strlen(V1_END) - 1;
	char what[100];
	size_t i, n;

	check("", 0, -1, NULL, 0, "empty file");
	check(ED25519, body, -1, NULL, 0, "BEGIN line alone");
	n = edit(buf, body, end - body, "", 0);
	check(buf, n, -1, NULL, 0, "nothing between BEGIN and END");
	n = edit(buf, body, end - body, " \r\n\t\n", 5);
	check(buf, n, -1, NULL, 0, "only white space between BEGIN and END");
	for (i = 1; i <= 3; i++) {
		n = edit(buf, body, end - body, "AAA\n", i);
		snprintf(what, sizeof(what), "%zu base64 byte%s alone", i,
		    i > 1 ? "s" : "");
		check(buf, n, -1, NULL, 0, what);
	}
	n = edit(buf, body, end - body, "AAAA\n", 5);
	check(buf, n, -1, NULL, 0, "four base64 bytes alone");
	check(ED25519, end, -1, NULL, 0, "no END line");
	n = edit(buf, 0, 0, V1_END "\n", strlen(V1_END) + 1);
	check(buf, end + strlen(V1_END) + 1, -1, NULL, 0,
	    "END line only before BEGIN");
	n = edit(buf, end, 1, "", 0);
	check(buf, n, -1, NULL, 0, "END line one dash short");
	n = edit(buf, 1, 1, "", 0);
	check(buf, n, -1, NULL, 0, "BEGIN line one dash short");
	n = edit(buf, 11, 7, "openssh", 7);
	check(buf, n, -1, NULL, 0, "BEGIN line in lower case");

	/* Characters that are not base64, first and in the middle. */
	for (i = 0; i < sizeof(bad) - 1; i++) {
		n = edit(buf, body, 1, bad + i, 1);
		snprintf(what, sizeof(what), "bad base64 0x%02x first",
		    (unsigned char)bad[i]);
		check(buf, n, -1, NULL, 0, what);
		n = edit(buf, body + 30, 1, bad + i, 1);
		snprintf(what, sizeof(what), "bad base64 0x%02x at 30",
		    (unsigned char)bad[i]);
		check(buf, n, -1, NULL, 0, what);
	}
	for (i = 1; i <= 3; i++) {
		n = edit(buf, body + 30, i, "", 0);
		snprintf(what, sizeof(what), "%zu base64 bytes missing", i);
		check(buf, n, -1, NULL, 0, what);
	}
	n = edit(buf, body + 30, 0, "=", 1);
	check(buf, n, -1, NULL, 0, "a stray '=' added");

	/* "b3Bl" is "ope": "c3Bl" is valid base64 but the wrong magic. */
	n = edit(buf, body, 1, "c", 1);
	check(buf, n, -1, NULL, 0, "valid base64, wrong magic");

	/*
	 * Truncated base64.  The first line is 70 characters (not a multiple
	 * of four); 68 of them decode to 51 bytes, short of the public key,
	 * which ends at byte 94; two lines decode to 105 bytes and hold it.
	 */
	n = edit(buf, body + 70, end - body - 70, "\n", 1);
	check(buf, n, -1, NULL, 0, "base64 cut to its first line");
	n = edit(buf, body + 68, end - body - 68, "\n", 1);
	check(buf, n, -1, NULL, 0, "base64 cut inside the public key");
	n = edit(buf, body + 142, end - body - 142, "", 0);
	check(buf, n, 0, "ssh-ed25519", 0,
	    "base64 cut after the public key (only it is read)");

	/* An OpenSSH BEGIN line decides, even with a PEM key after it. */
	n = edit(buf, end, strlen(ED25519) - end, RSA_PEM, strlen(RSA_PEM));
	check(buf, n, -1, NULL, 0, "OpenSSH key without END, then a PEM key");
}

struct pem_case {
	const char *text;
	const char *what;
};

/* Text with no private key armour in it. */
static const struct pem_case not_keys[] = {
	{ "-----BEGIN RSA PRIVATE KEY----\nMIIE\n-----END RSA PRIVATE KEY-----\n",
	  "RSA BEGIN line one dash short" },
	{ "----BEGIN EC PRIVATE KEY-----\nMHcC\n", "EC BEGIN line one dash short" },
	{ "-----BEGIN rsa PRIVATE KEY-----\nMIIE\n", "RSA BEGIN in lower case" },
	{ "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n",
	  "a public key" },
	{ "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
	  "a certificate" },
	{ "-----BEGIN SSH2 ENCRYPTED PRIVATE KEY-----\n",
	  "an SSH2 (RFC 4716) private key" },
	{ "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n",
	  "Proc-Type without armour" },
	{ "-----END RSA PRIVATE KEY-----\n", "END line only" },
	{ ED25519_PUB, "a .pub line" },
	{ "\0\0\0\0", "NUL bytes" },
};

/* PEM armour: text that is not a private key. */
static void
test_not_keys(void)
{
	struct sshkey_info ki;
	size_t i;

	for (i = 0; i < N(not_keys); i++)
		is_int(-1, inspect(not_keys[i].text, i == N(not_keys) - 1 ? 4 :
		    strlen(not_keys[i].text), &ki), "not a key: %s",
		    not_keys[i].what);
}

struct pub_case {
	const char *in;
	size_t len;		/* 0: strlen */
	size_t size;		/* 0: 64 */
	int rc;
	const char *type;
};

static const struct pub_case pub_cases[] = {
	{ ED25519_PUB, 0, 0, 0, "ssh-ed25519" },
	{ "ssh-ed25519\tAAAAC3Nz hopkit-test", 0, 0, 0, "ssh-ed25519" },
	{ "ssh-rsa AAAAB3Nz", 0, 0, 0, "ssh-rsa" },
	{ "x ", 0, 0, 0, "x" },
	{ "ssh-ed25519 ", 0, 12, 0, "ssh-ed25519" },
	{ "ssh-ed25519 ", 0, 11, -1, NULL },
	{ "ssh-ed25519 ", 0, 1, -1, NULL },
	{ "ssh-ed25519 ", 11, 0, -1, NULL },
	{ "ssh-ed25519 ", 12, 0, 0, "ssh-ed25519" },
	{ "ssh-ed25519AAAAC3Nz", 0, 0, -1, NULL },
	{ "ssh-ed25519", 0, 0, -1, NULL },
	{ "", 0, 0, -1, NULL },
	{ " ssh-ed25519 AAAAC3Nz", 0, 0, -1, NULL },
	{ "\tssh-ed25519 AAAAC3Nz", 0, 0, -1, NULL },
	{ "ssh-ed25519\nAAAAC3Nz", 0, 0, -1, NULL },
	{ "ssh-ed25519\nAAAAC3Nz hopkit-test", 0, 0, -1, NULL },
	{ "ssh-ed25519\0AAAAC3Nz hopkit-test", 32, 0, -1, NULL },
	{ "ssh-ed25519\r\n", 0, 0, -1, NULL },
	{ "ssh-ed25519\0 AAAAC3Nz", 20, 0, -1, NULL },
	{ "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk a",
	  0, 0, 0,
	  "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk" },
	{ "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk a",
	  0, 0, -1, NULL },
};

/* The type word of a .pub line, from an exact-size copy. */
static void
test_pub_type(void)
{
	const struct pub_case *c;
	char type[64], *copy;
	size_t i, len, size;
	int rc;

	for (i = 0; i < N(pub_cases); i++) {
		c = &pub_cases[i];
		len = c->len ? c->len : strlen(c->in);
		size = c->size ? c->size : sizeof(type);
		if ((copy = malloc(len > 0 ? len : 1)) == NULL)
			sysbail("malloc");
		memcpy(copy, c->in, len);
		memset(type, 'x', sizeof(type));
		type[sizeof(type) - 1] = '\0';
		rc = sshkey_pub_type(copy, len, type, size);
		free(copy);
		is_int(c->rc, rc, "pub type %zu: %s", i, c->rc == 0 ? "read" :
		    "refused");
		if (c->rc == 0)
			is_string(c->type, type, "pub type %zu: \"%s\"", i, c->type);
		else
			ok(type[0] == 'x', "pub type %zu: output left alone", i);
	}
	rc = sshkey_pub_type("ssh-ed25519 ", 12, type, 0);
	is_int(-1, rc, "pub type: a buffer of size 0 is refused");
}

struct rsa_case {
	const char *type;
	int rsa;
};

static const struct rsa_case rsa_cases[] = {
	{ "ssh-rsa", 1 },
	{ "rsa-sha2-256", 1 },
	{ "rsa-sha2-512", 1 },
	{ "ssh-ed25519", 0 },
	{ "ecdsa-sha2-nistp256", 0 },
	{ "ssh-dss", 0 },
	{ "ssh-rs", 0 },
	{ "ssh-rsa ", 0 },
	{ "SSH-RSA", 0 },
	{ "ssh-rsa-cert-v01@openssh.com", 0 },
	{ "rsa-sha2", 0 },
	{ "", 0 },
};

/* RSA type names. */
static void
test_is_rsa(void)
{
	size_t i;

	for (i = 0; i < N(rsa_cases); i++)
		is_int(rsa_cases[i].rsa, sshkey_is_rsa(rsa_cases[i].type),
		    "\"%s\" is %sRSA", rsa_cases[i].type,
		    rsa_cases[i].rsa ? "" : "not ");
}

int
main(void)
{
	plan_lazy();

	test_keys();
	test_variants();
	test_prefixes();
	test_cut_containers();
	test_containers();
	test_text();
	test_not_keys();
	test_pub_type();
	test_is_rsa();
	return 0;
}

/work/main/tools/zwatch/zwfmt.o: /work/main/tools/zwatch/zwfmt.c \
 /work/main/tools/zwatch/../../uapi/linux/zwatch.h \
 /work/main/tools/zwatch/zwfmt.h /work/main/tools/zwatch/zwproc.h
/work/main/tools/zwatch/../../uapi/linux/zwatch.h:
/work/main/tools/zwatch/zwfmt.h:
/work/main/tools/zwatch/zwproc.h:
